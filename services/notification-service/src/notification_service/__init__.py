"""notification-service: notifications and preferences (MongoDB), e-mail and WebSocket push.

`create_app()` builds the WSGI app: health probes at /health and /health/live, the public API
under /api/v1/notifications/ and its OpenAPI document at /api/v1/notifications/openapi.json
(Swagger UI at /api/v1/notifications/docs/). The WebSocket push under /ws/ arrives with its own
issue.
"""

from collections.abc import Mapping
from typing import Any

from flask import Flask

from dbay_common.flask import config_check, create_service_app
from dbay_common.health import mongodb_check, redis_check
from notification_service.api import API_PREFIX, blueprint
from notification_service.config import SERVICE, load_config
from notification_service.db import STORE


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The notification-service app; ``config`` overrides what was read from the environment (tests)."""
    app, api = create_service_app(
        import_name=__name__,
        service=SERVICE,
        api_prefix=API_PREFIX,
        config={**load_config(), **(config or {})},
        checks={
            "mongodb": config_check(mongodb_check, "MONGODB_URI"),
            "redis": config_check(redis_check, "REDIS_URL"),
        },
    )
    STORE.idempotency_store(app.config).init_app(app)
    api.register_blueprint(blueprint)
    return app
