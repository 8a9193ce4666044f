"""Health checks for the stores a service depends on, and the runner behind ``GET /health``.

Each factory returns a zero-argument callable that returns ``None`` when the store answers and raises
when it does not. Every check opens its own short-lived connection with a timeout of at most
:data:`CHECK_TIMEOUT_S` seconds: a health endpoint that hangs as long as the broken dependency is
useless to a load balancer or to Kubernetes, and reusing the application's pools could hide a
problem (a pool holding a connection that still works while new connections fail).

:func:`run_checks` runs the checks in parallel (so the endpoint costs the slowest check, not the sum)
and reports per-check status and latency, with a one-line error and never a stack trace.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests

CHECK_TIMEOUT_S = 2.0
_ERROR_TEXT_MAX = 200

Check = Callable[[], None]


class HealthCheckError(RuntimeError):
    """A store answered, but with a state we count as unhealthy (ES cluster red, RPC error...)."""


def redis_check(url: str) -> Check:
    """PING the Redis server at ``url``."""

    def check() -> None:
        import redis

        client = redis.Redis.from_url(
            url, socket_timeout=CHECK_TIMEOUT_S, socket_connect_timeout=CHECK_TIMEOUT_S
        )
        try:
            if client.ping() is not True:
                raise HealthCheckError("PING did not return PONG")
        finally:
            client.close()

    return check


def memcached_check(addr: str) -> Check:
    """Ask the memcached server at ``host:port`` for its version."""
    host, _, port = addr.rpartition(":")

    def check() -> None:
        from pymemcache.client.base import Client

        client = Client(
            (host or "127.0.0.1", int(port)), connect_timeout=CHECK_TIMEOUT_S, timeout=CHECK_TIMEOUT_S
        )
        try:
            client.version()
        finally:
            client.close()

    return check


def elasticsearch_check(url: str) -> Check:
    """``GET /_cluster/health``: healthy unless the cluster is red (yellow is normal on one node)."""
    health_url = url.rstrip("/") + "/_cluster/health"

    def check() -> None:
        response = requests.get(health_url, timeout=CHECK_TIMEOUT_S)
        response.raise_for_status()
        status = response.json().get("status")
        if status not in ("green", "yellow"):
            raise HealthCheckError(f"cluster status is {status}")

    return check


#: The collection the MongoDB-wire check reads; it holds one document, created by the first check.
HEALTH_COLLECTION = "dbay_health"


def mongodb_check(uri: str) -> Check:
    """Read one document from the store at ``uri`` (its default database, else ``dbay_health``).

    ``ping`` is not enough on FerretDB: it answers from FerretDB's own metadata while the PostgreSQL
    under it is down (no database cached yet means no query), so a service would report healthy
    while every real read fails. Reading a document of an existing collection always reaches
    PostgreSQL. The first check creates the collection with one upserted document (idempotent).
    """

    def check() -> None:
        from pymongo import MongoClient

        timeout_ms = int(CHECK_TIMEOUT_S * 1000)
        client: MongoClient[dict[str, Any]] = MongoClient(
            uri,
            serverSelectionTimeoutMS=timeout_ms,
            connectTimeoutMS=timeout_ms,
            socketTimeoutMS=timeout_ms,
        )
        try:
            database = client.get_default_database(default=HEALTH_COLLECTION)
            probes = database[HEALTH_COLLECTION]
            if probes.find_one({"_id": "probe"}) is None:
                # A missing collection is answered without PostgreSQL: create it (this reaches it).
                probes.update_one({"_id": "probe"}, {"$set": {"kind": "health"}}, upsert=True)
                if probes.find_one({"_id": "probe"}) is None:
                    raise HealthCheckError("the health document could not be read back")
        finally:
            client.close()

    return check


def _strip_credentials(url: str) -> tuple[str, tuple[str, str] | None]:
    parts = urlsplit(url)
    if parts.username is None:
        return url, None
    netloc = parts.hostname or ""
    if parts.port:
        netloc += f":{parts.port}"
    auth = (parts.username, parts.password or "")
    return urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, parts.fragment)), auth


def dogecoin_node_check(rpc_url: str) -> Check:
    """Call ``getblockchaininfo`` on the node's JSON-RPC endpoint (``http://user:pass@host:port/``).

    Credentials are taken out of the URL and sent as HTTP basic auth so they can never appear in an
    error message that ends up in the health document.
    """
    url, auth = _strip_credentials(rpc_url)

    def check() -> None:
        response = requests.post(
            url,
            json={"jsonrpc": "1.0", "id": "dbay-health", "method": "getblockchaininfo", "params": []},
            auth=auth,
            timeout=CHECK_TIMEOUT_S,
        )
        if response.status_code == 401:
            raise HealthCheckError("RPC authentication failed")
        try:
            payload = response.json()
        except ValueError:
            raise HealthCheckError(f"RPC answered HTTP {response.status_code} without JSON") from None
        if payload.get("error"):
            raise HealthCheckError(f"RPC error: {payload['error']}")
        if not isinstance(payload.get("result"), dict):
            raise HealthCheckError("RPC returned no blockchain info")

    return check


def postgres_check(dsn: str) -> Check:
    """Connect to PostgreSQL with ``dsn`` and run ``SELECT 1``."""

    def check() -> None:
        import psycopg

        # connect_timeout is whole seconds (libpq's minimum effective value is 2).
        with psycopg.connect(
            dsn,
            connect_timeout=int(CHECK_TIMEOUT_S),
            options=f"-c statement_timeout={int(CHECK_TIMEOUT_S * 1000)}",
        ) as connection:
            connection.execute("SELECT 1").fetchone()

    return check


def _describe(error: BaseException) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    summary = f"{type(error).__name__}: {text}" if text else type(error).__name__
    return summary[:_ERROR_TEXT_MAX]


def _timed(check: Check) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        check()
    except Exception as error:  # any failure of a check is a result, not a crash
        return {"status": "error", "error": _describe(error)}
    return {"status": "ok", "latency_ms": round((time.perf_counter() - started) * 1000, 1)}


def run_checks(*, service: str, checks: dict[str, Check]) -> tuple[int, dict[str, Any]]:
    """Run every check in parallel; 200 and ``"ok"`` when all pass, else 503 and ``"unavailable"``.

    Each check runs in a copy of the caller's context, so it sees what the request sees (Flask's
    ``current_app``, the request id of the log lines).
    """
    results: dict[str, dict[str, Any]] = {}
    if checks:
        with ThreadPoolExecutor(max_workers=len(checks), thread_name_prefix="dbay-health") as pool:
            # One copy per check: a context can be entered by only one thread at a time.
            futures = {
                name: pool.submit(contextvars.copy_context().run, _timed, check)
                for name, check in checks.items()
            }
            results = {name: future.result() for name, future in futures.items()}
    is_healthy = all(result["status"] == "ok" for result in results.values())
    document = {"status": "ok" if is_healthy else "unavailable", "service": service, "checks": results}
    return (200 if is_healthy else 503), document
