"""notification-service: notifications and preferences (MongoDB), e-mail and WebSocket push.

`create_app()` builds the WSGI app: health probes at /health and /health/live, the public API
under /api/v1/notifications/ and its OpenAPI document at /api/v1/notifications/openapi.json
(Swagger UI at /api/v1/notifications/docs/). The WebSocket push under /ws/ arrives with its own
issue.
"""

from collections.abc import Mapping
from typing import Any

from flask import Flask

from notification_service.api import API_PREFIX, blueprint
from notification_service.db import STORE


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The notification-service app; ``config`` overrides what was read from the environment (tests)."""
    return STORE.create_app(__name__, api_prefix=API_PREFIX, blueprints=[blueprint], config=config)
