"""Public HTTP API of search-gateway under /api/v1/search.

Thin routes: parse input, call one function, render output.
"""

from typing import Any

import marshmallow as ma
from dbay_common.flask import Blueprint
from flask.views import MethodView

from search_gateway.selectors import api_index

API_PREFIX = "/api/v1/search"

blueprint = Blueprint("search", __name__, url_prefix=API_PREFIX, description="search-gateway public API")


class SearchIndexSchema(ma.Schema):
    service = ma.fields.String(required=True)
    version = ma.fields.String(required=True)
    openapi_url = ma.fields.String(required=True)


@blueprint.route("")
class SearchIndex(MethodView):
    """GET /api/v1/search: the API root, public, so the gateway route can be checked end to end."""

    @blueprint.response(200, SearchIndexSchema)
    @blueprint.doc(operationId="search_index", summary="API index")
    def get(self) -> dict[str, Any]:
        return api_index()
