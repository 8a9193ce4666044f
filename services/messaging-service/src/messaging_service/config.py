"""Configuration of messaging-service, read from the environment (every variable is in .env.example).

One function, :func:`load_config`, reads every variable with the ``dbay_common.settings`` helpers:
development defaults point at scripts/devstack; with DBAY_ENV=production a missing URL stops the
process at start. The web app, the worker, the relay and the scheduler all read it.
"""

from typing import Any

from dbay_common.mongo.service import mongo_service_config
from dbay_common.settings import env_str

SERVICE = "messaging-service"


def load_config() -> dict[str, Any]:
    """This service's own `app.config` entries (the shared ones come from create_service_app)."""
    return {
        # MONGODB_URI, REDIS_URL (db 8), OUTBOX_RELAY_INTERVAL_S, INBOX_RETENTION_DAYS.
        **mongo_service_config(database="messaging", redis_db=8),
        # The web app's public address: links to <PUBLIC_WEB_URL>/listings/<id> are allowed in messages.
        "PUBLIC_WEB_URL": env_str("PUBLIC_WEB_URL", dev_default="http://localhost:3000").rstrip("/"),
        # Messages one member may send (new conversations included), as "<count>/<period>".
        "MESSAGE_SEND_RATE": env_str("MESSAGE_SEND_RATE", default="30/1m"),
    }
