"""The Flask application factory every Flask service starts from.

``create_service_app`` returns an app and a flask-smorest ``Api`` configured the dBay way: JSON logs,
request/correlation ids, error handlers producing the error shape, the OpenAPI 3.0.3 document at
``{api_prefix}/openapi.json`` with the bearer security scheme, and ``app.config`` read from the
environment with the same helpers (and the same fail-fast rules) as the Django services.
"""

from __future__ import annotations

import contextlib
from typing import Any

import flask_smorest
import marshmallow as ma
from flask import Flask, Response, g, request
from webargs.flaskparser import FlaskParser

from dbay_common.flask.errors import register_error_handlers
from dbay_common.jwt import jwt_settings_from_env
from dbay_common.logging import configure_logging, correlation_id_var, request_id_var
from dbay_common.request_ids import CORRELATION_ID_HEADER, REQUEST_ID_HEADER, new_request_id, safe_id
from dbay_common.settings import current_env, dev_url, env_int, env_str


class ErrorDetailSchema(ma.Schema):
    type = ma.fields.String(required=True)
    code = ma.fields.String(required=True)
    message = ma.fields.String(required=True)
    param = ma.fields.String()


class ErrorResponseSchema(ma.Schema):
    """The dBay error document, used by the OpenAPI document for every error response."""

    error = ma.fields.Nested(ErrorDetailSchema, required=True)


class ServiceApi(flask_smorest.Api):
    """flask-smorest ``Api`` whose documented error responses use the dBay error shape."""

    ERROR_SCHEMA = ErrorResponseSchema


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
    }


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


def create_service_app(
    *, import_name: str, service: str, title: str, api_prefix: str, version: str = "1.0.0"
) -> tuple[Flask, flask_smorest.Api]:
    """Create the Flask app and its flask-smorest ``Api`` for ``service``.

    Register blueprints with ``api.register_blueprint`` (documented) or ``app.register_blueprint``
    (undocumented, e.g. health). ``app.config`` may be amended by the service before registering.
    """
    configure_logging(service=service, level=env_str("LOG_LEVEL", default="INFO"))
    app = Flask(import_name)
    app.config.update(flask_config_from_env(service=service))
    app.config.update(
        API_TITLE=title,
        API_VERSION=version,
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX=api_prefix.rstrip("/") or "/",
        OPENAPI_JSON_PATH="openapi.json",
    )
    app.json.sort_keys = False  # type: ignore[attr-defined]  # keep "data" before "has_more", as Django
    install_request_ids(app)
    api = ServiceApi(app)
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    )
    register_error_handlers(app)  # after Api(): replaces flask-smorest's HTTPException handler
    return app, api
