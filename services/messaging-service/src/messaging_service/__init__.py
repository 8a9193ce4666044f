"""messaging-service: conversations and messages between buyers and sellers (MongoDB).

`create_app()` builds the WSGI app: health probes at /health and /health/live, the public API
under /api/v1/messaging/, its OpenAPI document at /api/v1/messaging/openapi.json
(Swagger UI at /api/v1/messaging/docs/).
"""

from collections.abc import Mapping
from typing import Any

from flask import Flask

from dbay_common.flask import config_check, create_service_app
from dbay_common.health import mongodb_check, redis_check
from messaging_service.api import API_PREFIX, blueprint
from messaging_service.config import SERVICE, load_config
from messaging_service.db import STORE


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The messaging-service app; ``config`` overrides what was read from the environment (tests)."""
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
