"""The Flask application factory every Flask service starts from.

``create_service_app`` returns an app and a flask-smorest ``Api`` configured the dBay way: JSON logs,
request/correlation ids, error handlers producing the error shape, the OpenAPI 3.0.3 document at
``{api_prefix}/openapi.json`` with the bearer security scheme, Swagger UI at ``{api_prefix}/docs/``
(its files served by the app itself under ``{api_prefix}/static/swagger-ui/``, never from a CDN),
and ``app.config`` read from the environment with the same helpers (and the same fail-fast rules)
as the Django services.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any

import flask_smorest
import marshmallow as ma
from apispec import BasePlugin
from apispec.ext.marshmallow import MarshmallowPlugin, resolver
from apispec.ext.marshmallow.common import resolve_schema_cls
from flask import Flask, Response, abort, g, request, send_from_directory
from flask_smorest.pagination import PaginationMetadataSchema
from webargs.flaskparser import FlaskParser

from dbay_common.flask.errors import register_error_handlers
from dbay_common.flask.health import health_blueprint
from dbay_common.health import Check
from dbay_common.jwt import jwt_settings_from_env
from dbay_common.logging import configure_logging, correlation_id_var, request_id_var
from dbay_common.openapi import API_CONVENTIONS, ERROR_RESPONSE_COMPONENT, add_common_responses
from dbay_common.request_body import JsonTooDeep, json_depth_exceeds, max_request_body_bytes
from dbay_common.request_ids import CORRELATION_ID_HEADER, REQUEST_ID_HEADER, new_request_id, safe_id
from dbay_common.sessions import user_service_url
from dbay_common.settings import current_env, dev_url, env_int, env_str
from dbay_common.swagger_ui import SWAGGER_UI_DIST, SWAGGER_UI_FILES

#: Swagger UI's files only change with the sidecar package, so browsers may keep them a day.
SWAGGER_UI_MAX_AGE_S = 24 * 3600


class ErrorDetailSchema(ma.Schema):
    type = ma.fields.String(required=True)
    code = ma.fields.String(required=True)
    message = ma.fields.String(required=True)
    param = ma.fields.String()


class ErrorResponseSchema(ma.Schema):
    """The dBay error document, used by the OpenAPI document for every error response."""

    error = ma.fields.Nested(ErrorDetailSchema, required=True)


def _schema_name(schema: Any) -> str | None:
    """apispec's default component names, except ``None`` (inline, never a component) for
    flask-smorest's page-number ``PaginationMetadata``.

    flask-smorest registers its ``X-Pagination`` header for every ``Api``, and resolving the header's
    schema adds ``PaginationMetadata`` to every document, even with no paginated route. Our lists are
    cursor-paginated in the body (``dbay_common.pagination``); a page-number schema in the contract
    would document the opposite. Inlined, the schema only exists inside that header, which stays
    unreferenced and out of the document.
    """
    if resolve_schema_cls(schema) is PaginationMetadataSchema:
        return None
    name: str = resolver(schema)
    return name


class CommonResponsesPlugin(BasePlugin):
    """apispec plugin: every operation lists the responses the platform gives it whatever its view
    does (:func:`dbay_common.openapi.add_common_responses`: 400/413/415 with a body, 401 with a
    security requirement, 400/409/422 with ``Idempotency-Key``, 503 everywhere).

    A route that does not require a token still checks one that is sent (``install_request_guards``),
    as DRF does: it is documented with an optional bearer token, so its 401 is listed too.
    """

    def operation_helper(
        self, path: str | None = None, operations: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        for operation in (operations or {}).values():
            if isinstance(operation, dict):
                operation.setdefault("security", [{"bearerAuth": []}, {}])
                add_common_responses(operation, error_schema=ERROR_RESPONSE_COMPONENT)


class ServiceApi(flask_smorest.Api):
    """flask-smorest ``Api`` whose documented error responses use the dBay error shape, and whose
    documents carry no page-number pagination schema (see :func:`_schema_name`).

    No ``default`` response: a document lists each status a route really answers (the views' own
    and :class:`CommonResponsesPlugin`'s), so a client, and Schemathesis, can tell an undocumented one.
    """

    ERROR_SCHEMA = ErrorResponseSchema
    DEFAULT_ERROR_RESPONSE_NAME = None

    def __init__(self, app: Flask | None = None, **kwargs: Any) -> None:
        # apispec documents a resolver returning None as "inline this schema"; its annotation says str.
        plugin = MarshmallowPlugin(schema_name_resolver=_schema_name)  # type: ignore[arg-type]
        spec_kwargs: dict[str, Any] = {
            "marshmallow_plugin": plugin,
            "extra_plugins": [CommonResponsesPlugin()],
        }
        spec_kwargs.update(kwargs.pop("spec_kwargs", None) or {})
        super().__init__(app, spec_kwargs=spec_kwargs, **kwargs)


class _BadRequestParser(FlaskParser):
    DEFAULT_VALIDATION_STATUS = 400


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest ``Blueprint`` documenting (and raising) 400 for invalid arguments, like Django."""

    ARGUMENTS_PARSER = _BadRequestParser()


def flask_config_from_env(*, service: str) -> dict[str, Any]:
    """``app.config`` entries shared by the Flask services (the Django ``common_settings`` subset)."""
    jwt = jwt_settings_from_env()
    return {
        "DBAY_ENV": current_env(),
        "DBAY_SERVICE": service,
        "JWT_ISSUER": jwt["issuer"],
        "JWT_AUDIENCE": jwt["audience"],
        "JWT_JWKS_URL": jwt["jwks_url"],
        "DBAY_EVENT_BUS_REDIS_URL": env_str("EVENT_BUS_REDIS_URL", dev_default=dev_url("redis", name="0")),
        "DBAY_IDEMPOTENCY_TTL_S": env_int("IDEMPOTENCY_TTL_S", default=24 * 3600),
        "DBAY_IDEMPOTENCY_LOCK_TIMEOUT_S": env_int("IDEMPOTENCY_LOCK_TIMEOUT_S", default=120),
        # user-service inside the platform: where session_now() confirms a session (dbay_common.sessions).
        "DBAY_USER_SERVICE_URL": user_service_url(),
        # Bodies past this are refused with 413 before they are read (dbay_common.request_body).
        "MAX_CONTENT_LENGTH": max_request_body_bytes(),
    }


#: The response headers every service sends, Django (SecurityMiddleware, XFrameOptionsMiddleware,
#: set by ``common_settings``) and Flask alike: an API response is never sniffed as another type,
#: framed, or given a referrer beyond our origin.
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def install_request_guards(app: Flask) -> None:
    """Depth-limit JSON bodies before any view parses them, and send :data:`SECURITY_HEADERS`.

    The size limit is ``MAX_CONTENT_LENGTH`` (413 from Werkzeug, in the error shape). A JSON body
    nested past :data:`~dbay_common.request_body.MAX_JSON_DEPTH` is refused with 400 here, so neither
    webargs nor a view ever hands it to the recursive decoder.
    """

    @app.before_request
    def _limit_json_depth() -> None:
        has_json_body = request.method in ("POST", "PUT", "PATCH", "DELETE") and request.is_json
        if has_json_body and json_depth_exceeds(request.get_data(cache=True)):
            raise JsonTooDeep()

    @app.before_request
    def _refuse_bad_tokens() -> None:
        # As DRF's JwtAuthentication: a request that presents a token gets it checked even on a public
        # route, so a client learns at once that its token is broken, expired or of a revoked session.
        if "Authorization" in request.headers and "claims" not in g:
            from dbay_common.flask.auth import request_claims

            claims = request_claims()
            if claims is not None:
                g.claims = claims

    @app.after_request
    def _security_headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response


def install_request_ids(app: Flask) -> None:
    """Request/correlation ids in and out, and in the logging context (as the Django middleware)."""

    @app.before_request
    def _assign_ids() -> None:
        request_id = safe_id(request.headers.get(REQUEST_ID_HEADER)) or new_request_id()
        correlation_id = safe_id(request.headers.get(CORRELATION_ID_HEADER)) or request_id
        g.request_id = request_id
        g.correlation_id = correlation_id
        g._dbay_id_tokens = (request_id_var.set(request_id), correlation_id_var.set(correlation_id))

    @app.after_request
    def _echo_ids(response: Response) -> Response:
        if "request_id" in g:
            response.headers[REQUEST_ID_HEADER] = g.request_id
            response.headers[CORRELATION_ID_HEADER] = g.correlation_id
        return response

    @app.teardown_request
    def _reset_ids(error: BaseException | None) -> None:
        tokens = g.pop("_dbay_id_tokens", None)
        if tokens is not None:
            with contextlib.suppress(ValueError):  # set in another context: nothing to undo here
                request_id_var.reset(tokens[0])
                correlation_id_var.reset(tokens[1])


def install_swagger_ui_files(app: Flask, *, url_prefix: str) -> str:
    """Serve Swagger UI's files at ``{url_prefix}/<name>``; return that base URL (with a final ``/``).

    Only the names shipped in the sidecar package are served; anything else is a 404.
    """
    base_url = f"{url_prefix.rstrip('/')}/"

    def swagger_ui_file(filename: str) -> Response:
        if filename not in SWAGGER_UI_FILES:
            abort(404)
        return send_from_directory(SWAGGER_UI_DIST, filename, max_age=SWAGGER_UI_MAX_AGE_S)

    app.add_url_rule(f"{base_url}<filename>", endpoint="dbay_swagger_ui_file", view_func=swagger_ui_file)
    return base_url


def create_service_app(
    *,
    import_name: str,
    service: str,
    api_prefix: str,
    title: str | None = None,
    version: str = "1.0.0",
    config: Mapping[str, Any] | None = None,
    checks: dict[str, Check] | None = None,
) -> tuple[Flask, flask_smorest.Api]:
    """Create the Flask app and its flask-smorest ``Api`` for ``service``.

    ``config`` (the service's own settings, then any test overrides) is applied over the shared
    entries. ``checks`` registers ``/health`` and ``/health/live`` (:func:`health_blueprint`); build
    them with :func:`~dbay_common.flask.health.config_check` so they read ``app.config`` per request.
    The document's title defaults to ``dBay <service>``, as for the Django services. Register the
    service's blueprints with ``api.register_blueprint`` (documented).
    """
    configure_logging(service=service, level=env_str("LOG_LEVEL", default="INFO"))
    prefix = api_prefix.rstrip("/")
    # No static folder: a service serves no files but Swagger UI's, and those under its prefix.
    app = Flask(import_name, static_folder=None)
    app.config.update(flask_config_from_env(service=service))
    app.config.update(
        API_TITLE=title or f"dBay {service}",
        API_VERSION=version,
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX=prefix or "/",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs/",
        OPENAPI_SWAGGER_UI_URL=install_swagger_ui_files(app, url_prefix=f"{prefix}/static/swagger-ui"),
        API_SPEC_OPTIONS={"info": {"description": API_CONVENTIONS}},
    )
    app.config.update(config or {})
    app.json.sort_keys = False  # type: ignore[attr-defined]  # keep "data" before "has_more", as Django
    install_request_ids(app)
    install_request_guards(app)
    api = ServiceApi(app)
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    )
    register_error_handlers(app)  # after Api(): replaces flask-smorest's HTTPException handler
    if checks is not None:
        app.register_blueprint(health_blueprint(service=service, checks=checks))
    return app, api
