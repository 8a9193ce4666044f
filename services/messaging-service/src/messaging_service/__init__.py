"""messaging-service: conversations and messages between buyers and sellers (MongoDB).

`create_app()` builds the WSGI app: health probes at /health and /health/live, the public API
under /api/v1/messaging/, its OpenAPI document at /api/v1/messaging/openapi.json
(Swagger UI at /api/v1/messaging/docs/).
"""

from collections.abc import Mapping
from typing import Any

from flask import Flask

from messaging_service.api import API_PREFIX, blueprint
from messaging_service.db import STORE


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The messaging-service app; ``config`` overrides what was read from the environment (tests)."""
    return STORE.create_app(__name__, api_prefix=API_PREFIX, blueprints=[blueprint], config=config)
