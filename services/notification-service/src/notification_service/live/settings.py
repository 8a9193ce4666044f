"""Settings of the live channel server, read from the environment with the ``dbay_common.settings`` helpers.

Development defaults point at scripts/devstack (notification-service's Redis, db 6, the same
``REDIS_URL`` the rest of the service reads); with ``DBAY_ENV=production`` a missing URL stops the
process at start. The variables are listed in docs/live-channel.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dbay_common.jwt import jwt_settings_from_env
from dbay_common.settings import InvalidSetting, dev_url, env_int, env_str

__all__ = ["LiveSettings", "load_live_settings", "replay_settings"]

DEFAULT_REPLAY_WINDOW = 500
DEFAULT_REPLAY_TTL_S = 86400


@dataclass(frozen=True)
class LiveSettings:
    redis_url: str
    host: str
    port: int
    replay_window: int
    replay_ttl_s: int
    max_topics: int
    max_frame_bytes: int
    auth_timeout_s: float
    presence_ttl_s: int
    revocation_check_s: float
    jwt: dict[str, Any]


def _positive(name: str, value: int) -> int:
    if value < 1:
        raise InvalidSetting(f"environment variable {name} must be a positive integer, not {value}")
    return value


def replay_settings() -> tuple[int, int]:
    """``(LIVE_REPLAY_WINDOW, LIVE_REPLAY_TTL_S)``: what a topic's replay stream keeps."""
    return (
        _positive("LIVE_REPLAY_WINDOW", env_int("LIVE_REPLAY_WINDOW", default=DEFAULT_REPLAY_WINDOW)),
        _positive("LIVE_REPLAY_TTL_S", env_int("LIVE_REPLAY_TTL_S", default=DEFAULT_REPLAY_TTL_S)),
    )


def load_live_settings() -> LiveSettings:
    """Every setting of the live server (see docs/live-channel.md for what each does)."""
    window, ttl_s = replay_settings()
    return LiveSettings(
        redis_url=env_str("REDIS_URL", dev_default=dev_url("redis", name="6")),
        host=env_str("LIVE_HOST", default="127.0.0.1"),
        port=env_int("LIVE_PORT", default=8013),
        replay_window=window,
        replay_ttl_s=ttl_s,
        max_topics=_positive("LIVE_MAX_TOPICS", env_int("LIVE_MAX_TOPICS", default=50)),
        max_frame_bytes=_positive("LIVE_MAX_FRAME_BYTES", env_int("LIVE_MAX_FRAME_BYTES", default=16384)),
        auth_timeout_s=_positive("LIVE_AUTH_TIMEOUT_S", env_int("LIVE_AUTH_TIMEOUT_S", default=10)),
        presence_ttl_s=_positive("LIVE_PRESENCE_TTL_S", env_int("LIVE_PRESENCE_TTL_S", default=30)),
        revocation_check_s=_positive(
            "LIVE_REVOCATION_CHECK_MS", env_int("LIVE_REVOCATION_CHECK_MS", default=1000)
        )
        / 1000,
        jwt=jwt_settings_from_env(),
    )
