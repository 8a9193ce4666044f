"""Configuration of messaging-service, read from the environment (every variable is in .env.example).

Development defaults point at scripts/devstack; with DBAY_ENV=production a missing URL stops the
process at start.
"""

from typing import Any

from dbay_common.settings import dev_url, env_str

SERVICE = "messaging-service"


def load_config() -> dict[str, Any]:
    """This service's own `app.config` entries (the shared ones come from create_service_app)."""
    return {
        # MongoDB-wire server (FerretDB locally); the database is the URI's path.
        "MONGODB_URI": env_str("MONGODB_URI", dev_default=dev_url("mongodb", name="messaging")),
        # This service's Redis db 8.
        "REDIS_URL": env_str("REDIS_URL", dev_default=dev_url("redis", name="8")),
    }
