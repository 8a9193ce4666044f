"""Configuration from environment variables, failing fast.

Every service reads its configuration with these helpers so the rules are the same everywhere:

* a variable that is set (and not empty) wins;
* otherwise ``default`` applies in every environment (use it only for values that are safe in
  production, like a page size);
* otherwise ``dev_default`` applies in ``development`` and ``test`` (local store URLs, a throwaway
  secret);
* otherwise the process stops at start with :class:`MissingSetting` naming the variable, which is
  how a production deployment without a secret fails loudly instead of running with a dev value.

Empty strings count as unset: ``.env`` files list every variable, often with an empty value.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

ENVIRONMENTS = ("development", "test", "production")


class MissingSetting(RuntimeError):  # noqa: N818 - name fixed by the shared API
    """A required environment variable is not set (the message names it)."""


class InvalidSetting(RuntimeError):  # noqa: N818 - name fixed by the shared API
    """An environment variable is set to a value that cannot be used (the message names it)."""


def current_env() -> str:
    """``DBAY_ENV``: ``development`` (default), ``test`` or ``production``; anything else raises."""
    value = os.environ.get("DBAY_ENV", "").strip() or "development"
    if value not in ENVIRONMENTS:
        raise InvalidSetting(f"DBAY_ENV must be one of {', '.join(ENVIRONMENTS)}, not {value!r}")
    return value


def is_production() -> bool:
    """True when dev defaults must not be used."""
    return current_env() == "production"


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


def env_str(name: str, *, default: str | None = None, dev_default: str | None = None) -> str:
    """The variable's value; else ``default``; else (outside production) ``dev_default``; else raise."""
    value = _raw(name)
    if value is not None:
        return value
    if default is not None:
        return default
    if dev_default is not None and not is_production():
        return dev_default
    hint = " (it has a development default, but DBAY_ENV=production)" if dev_default is not None else ""
    raise MissingSetting(f"environment variable {name} is required{hint}")


def env_int(name: str, *, default: int | None = None, dev_default: int | None = None) -> int:
    """Like :func:`env_str` for a base-10 integer; a non-integer value raises :class:`InvalidSetting`."""
    value = _raw(name)
    if value is None:
        if default is not None:
            return default
        if dev_default is not None and not is_production():
            return dev_default
        raise MissingSetting(f"environment variable {name} is required")
    try:
        return int(value, 10)
    except ValueError:
        raise InvalidSetting(f"environment variable {name} must be an integer, not {value!r}") from None


_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


def env_bool(name: str, *, default: bool = False) -> bool:
    """``1/true/yes/on`` or ``0/false/no/off`` (any case); unset means ``default``; anything else raises.

    Unknown words raise rather than read as False: ``DJANGO_DEBUG=ture`` should stop the process, not
    silently mean something.
    """
    value = _raw(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise InvalidSetting(f"environment variable {name} must be a boolean (true/false), not {value!r}")


def env_list(
    name: str, *, default: Iterable[str] = (), dev_default: Iterable[str] | None = None
) -> list[str]:
    """A comma-separated list (items stripped, empty items dropped); unset means ``default``.

    ``dev_default`` (optional) applies outside production when the variable is unset, and makes the
    variable required in production; without it, an unset variable gives ``default``.
    """
    value = _raw(name)
    if value is None:
        if dev_default is not None:
            if is_production():
                raise MissingSetting(f"environment variable {name} is required")
            return list(dev_default)
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


_DEV_PORTS = {
    "postgres": ("DBAY_PG_PORT", 55432),
    "redis": ("DBAY_REDIS_PORT", 56379),
    "memcached": ("DBAY_MEMCACHED_PORT", 51211),
    "elasticsearch": ("DBAY_ES_PORT", 59200),
    "mongodb": ("DBAY_MONGO_PORT", 57017),
    "dogecoin": ("DBAY_NODE_RPC_PORT", 58332),
}

DEV_HOST = "127.0.0.1"


def dev_port(store: str) -> int:
    """The local port of a devstack store, honouring its ``DBAY_*_PORT`` override."""
    try:
        variable, default = _DEV_PORTS[store]
    except KeyError:
        raise ValueError(f"unknown store {store!r}; expected one of {', '.join(_DEV_PORTS)}") from None
    return env_int(variable, default=default)


def dev_url(store: str, *, name: str | None = None) -> str:
    """The URL of a store started by ``scripts/devstack`` (the development default of every *_URL).

    ``name`` is the database (postgres, mongodb) or the db number (redis).
    """
    port = dev_port(store)
    if store == "postgres":
        return f"postgres://postgres@{DEV_HOST}:{port}/{name or 'postgres'}"
    if store == "redis":
        return f"redis://{DEV_HOST}:{port}/{name or '0'}"
    if store == "memcached":
        return f"{DEV_HOST}:{port}"
    if store == "elasticsearch":
        return f"http://{DEV_HOST}:{port}"
    if store == "mongodb":
        return f"mongodb://{DEV_HOST}:{port}/{name or ''}"
    # dogecoin: the regtest node's JSON-RPC endpoint, credentials as devstack configures them.
    return f"http://dbay:dbay@{DEV_HOST}:{port}/"


def database_from_url(url: str) -> dict[str, Any]:
    """A Django ``DATABASES`` entry from ``postgres://user:password@host:port/name?option=value``.

    Query parameters become connection ``OPTIONS`` (``sslmode=require``...). Connections are kept
    for 60 s (``CONN_MAX_AGE``) with health checks, and requests are not wrapped in a transaction
    (``ATOMIC_REQUESTS`` False): services open their own ``transaction.atomic`` around writes, and the
    idempotency middleware must commit its claim before the view runs.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        raise InvalidSetting(f"database URL must start with postgres:// (got scheme {parts.scheme!r})")
    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise InvalidSetting("database URL must name a database (postgres://host/<name>)")
    options: dict[str, Any] = dict(parse_qsl(parts.query))
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
        "ATOMIC_REQUESTS": False,
        "OPTIONS": options,
    }
