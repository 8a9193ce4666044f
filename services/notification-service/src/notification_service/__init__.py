"""notification-service: notifications and preferences (MongoDB), e-mail and the live channel.

`create_app()` builds the WSGI app: health probes at /health and /health/live, the public API
under /api/v1/notifications/ and its OpenAPI document at /api/v1/notifications/openapi.json
(Swagger UI at /api/v1/notifications/docs/). The live channel under /ws/ is a process of its own,
`python -m notification_service.live` (docs/live-channel.md); it imports this package, so the web
app's modules are imported only when `create_app` runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The notification-service app; ``config`` overrides what was read from the environment (tests)."""
    from notification_service.api import API_PREFIX, blueprint
    from notification_service.db import STORE

    return STORE.create_app(__name__, api_prefix=API_PREFIX, blueprints=[blueprint], config=config)
