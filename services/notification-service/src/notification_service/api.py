"""Public HTTP API of notification-service under /api/v1/notifications/.

Thin routes: parse input, call one function, render output.
"""

from typing import Any

import marshmallow as ma
from dbay_common.flask import Blueprint
from flask.views import MethodView

from notification_service.selectors import api_index

API_PREFIX = "/api/v1/notifications"

blueprint = Blueprint(
    "notifications", __name__, url_prefix=API_PREFIX, description="notification-service public API"
)


class NotificationsIndexSchema(ma.Schema):
    service = ma.fields.String(required=True)
    version = ma.fields.String(required=True)
    openapi_url = ma.fields.String(required=True)


@blueprint.route("/")
class NotificationsIndex(MethodView):
    """GET /api/v1/notifications/: the API root, public, so the gateway route can be checked end to end."""

    @blueprint.response(200, NotificationsIndexSchema)
    @blueprint.doc(operationId="notifications_index", summary="API index")
    def get(self) -> dict[str, Any]:
        return api_index()
