"""Configuration of notification-service, read from the environment (every variable is in .env.example).

One function, :func:`load_config`, reads every variable with the ``dbay_common.settings`` helpers:
development defaults point at scripts/devstack; with DBAY_ENV=production a missing URL stops the
process at start. The web app, the worker, the relay and the scheduler all read it.
"""

from typing import Any

from dbay_common.settings import dev_url, env_int, env_str

SERVICE = "notification-service"


def load_config() -> dict[str, Any]:
    """This service's own `app.config` entries (the shared ones come from create_service_app)."""
    return {
        # MongoDB-wire server (FerretDB locally); the database is the URI's path.
        "MONGODB_URI": env_str("MONGODB_URI", dev_default=dev_url("mongodb", name="notification")),
        # This service's Redis db 6 (the relay's wake-up list lives there).
        "REDIS_URL": env_str("REDIS_URL", dev_default=dev_url("redis", name="6")),
        # The outbox relay polls this often when no write wakes it.
        "OUTBOX_RELAY_INTERVAL_S": env_int("OUTBOX_RELAY_INTERVAL_S", default=1),
        # Handled-event records older than this are purged (redeliveries come within minutes).
        "INBOX_RETENTION_DAYS": env_int("INBOX_RETENTION_DAYS", default=7),
    }
