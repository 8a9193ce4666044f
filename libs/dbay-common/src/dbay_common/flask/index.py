"""The API index every Flask service answers at its public path, as the Django services do.

blueprint = Blueprint("messaging", __name__, url_prefix="/api/v1/messaging", description=...)
add_api_index(blueprint)            # GET /api/v1/messaging/
"""

from __future__ import annotations

import re
from importlib.metadata import version

import marshmallow as ma
from flask import current_app, url_for

from dbay_common.flask.app import Blueprint

__all__ = ["add_api_index", "api_index"]

DESCRIPTION = "Which service answers, its version, and where its OpenAPI document and docs are."


def api_index() -> dict[str, str]:
    """The API index: which service answers, its version, where its OpenAPI document and docs are."""
    service = current_app.config["DBAY_SERVICE"]
    return {
        "service": service,
        "version": version(service),
        "openapi_url": url_for("api-docs.openapi_json"),
        "docs_url": url_for("api-docs.openapi_swagger_ui"),
    }


def add_api_index(blueprint: Blueprint, *, rule: str = "/") -> None:
    """Route ``GET <rule>`` of ``blueprint`` to the index, documented as ``<Resource>Index``.

    The resource is the last segment of the blueprint's ``url_prefix`` (``messaging`` → schema
    ``MessagingIndex``, operation ``messaging_index``). Public: no authentication, so the gateway
    route can be checked end to end.
    """
    resource = (blueprint.url_prefix or "").rstrip("/").rsplit("/", 1)[-1]
    component = "".join(part.capitalize() for part in re.split(r"[-_]", resource)) + "Index"
    schema = ma.Schema.from_dict(
        {name: ma.fields.String(required=True) for name in ("service", "version", "openapi_url", "docs_url")},
        name=f"{component}Schema",
    )

    @blueprint.route(rule, endpoint="api_index")
    @blueprint.response(200, schema)
    @blueprint.doc(
        operationId=f"{resource.replace('-', '_')}_index", summary="API index", description=DESCRIPTION
    )
    def index() -> dict[str, str]:
        return api_index()
