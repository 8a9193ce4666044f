"""Public HTTP API of messaging-service under /api/v1/messaging/.

Thin routes: parse input, call one function, render output.
"""

from typing import Any

import marshmallow as ma
from dbay_common.flask import Blueprint
from flask.views import MethodView

from messaging_service.selectors import api_index

API_PREFIX = "/api/v1/messaging"

blueprint = Blueprint(
    "messaging", __name__, url_prefix=API_PREFIX, description="messaging-service public API"
)


class MessagingIndexSchema(ma.Schema):
    service = ma.fields.String(required=True)
    version = ma.fields.String(required=True)
    openapi_url = ma.fields.String(required=True)


@blueprint.route("/")
class MessagingIndex(MethodView):
    """GET /api/v1/messaging/: the API root, public, so the gateway route can be checked end to end."""

    @blueprint.response(200, MessagingIndexSchema)
    @blueprint.doc(operationId="messaging_index", summary="API index")
    def get(self) -> dict[str, Any]:
        return api_index()
