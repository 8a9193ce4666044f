"""Flask error handlers: every error a Flask service returns has the dBay error shape.

Registered by :func:`~dbay_common.flask.create_service_app` *after* flask-smorest's own handler, which
they replace. Validation errors from webargs/marshmallow (flask-smorest's 422) become our 400
``invalid_request`` with the first offending field in ``param``, so Django and Flask services answer
bad input identically.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import marshmallow as ma
from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from dbay_common.errors import ApiError, NotFound, error_body, error_type_for_status
from dbay_common.request_body import StoreUnavailable

logger = logging.getLogger("dbay_common.flask")

GENERIC_500_MESSAGE = "An internal error occurred. It has been logged; please try again later."
MARSHMALLOW_REQUIRED_MESSAGE = "Missing data for required field."

# webargs groups messages by request location; those keys are not field names.
_LOCATIONS = frozenset(
    {"json", "query", "querystring", "form", "headers", "cookies", "files", "path", "view_args"}
)


def _json_response(body: dict[str, Any], status: int, headers: dict[str, str] | None = None) -> Response:
    response = jsonify(body)
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _first_message(messages: Any, path: tuple[str, ...] = ()) -> tuple[tuple[str, ...], str] | None:
    if isinstance(messages, dict):
        for key, value in messages.items():
            found = _first_message(value, (*path, str(key)))
            if found is not None:
                return found
        return None
    if isinstance(messages, list | tuple):
        for value in messages:
            found = _first_message(value, path)
            if found is not None:
                return found
        return None
    return path, str(messages)


def marshmallow_error_body(messages: Any) -> dict[str, Any]:
    """Error body for marshmallow messages (optionally grouped by webargs location)."""
    found = _first_message(messages)
    if found is None:
        return error_body(type="invalid_request", code="invalid_field", message="Invalid input.")
    path, message = found
    if path and path[0] in _LOCATIONS:
        path = path[1:]
    if path and path[0] == ma.exceptions.SCHEMA:
        path = path[1:]
    param = ".".join(path) if path else None
    code = "required" if message == MARSHMALLOW_REQUIRED_MESSAGE else "invalid_field"
    if param is not None:
        message = f"{param}: {message}"
    return error_body(type="invalid_request", code=code, message=message, param=param)


def _is_json_decode_failure(error: BaseException) -> bool:
    """True when a 400 was caused by an unparseable JSON body (webargs or ``request.get_json``)."""
    candidates: list[BaseException | None] = [getattr(error, "exc", None)]
    cause: BaseException | None = error
    for _ in range(4):
        cause = cause.__cause__ or cause.__context__ if cause is not None else None
        candidates.append(cause)
    return any(isinstance(candidate, json.JSONDecodeError | UnicodeDecodeError) for candidate in candidates)


def handle_api_error(error: ApiError) -> Response:
    if error.status >= 500:
        logger.error("API error %s (%s): %s", error.status, error.code, error.message)
    return _json_response(error.to_body(), error.status, error.headers)


def handle_validation_error(error: ma.ValidationError) -> Response:
    return _json_response(marshmallow_error_body(error.messages), 400)


def handle_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    headers: dict[str, str] = {
        name: value for name, value in error.get_headers() if name.lower() != "content-type"
    }
    headers.update(data.get("headers") or {})
    if status in (400, 422) and _is_json_decode_failure(error):
        return _json_response(
            error_body(
                type="invalid_request", code="invalid_json", message="Malformed request body: invalid JSON."
            ),
            400,
        )
    if status in (400, 422) and (
        "messages" in data or isinstance(getattr(error, "exc", None), ma.ValidationError)
    ):
        messages = data.get("messages") or getattr(getattr(error, "exc", None), "messages", {})
        return _json_response(marshmallow_error_body(messages), 400)
    if status == 404:
        body = NotFound(f"Unrecognized request URL ({request.method}: {request.path}).").to_body()
        return _json_response(body, 404, headers)
    if status == 405:
        body = error_body(
            type="invalid_request",
            code="method_not_allowed",
            message=f"Method {request.method} is not allowed on {request.path}.",
        )
        return _json_response(body, 405, headers)
    if status >= 500:
        # An HTTPException 5xx (e.g. InternalServerError wrapping an unhandled exception).
        original = getattr(error, "original_exception", None)
        if original is not None:
            logger.error("unhandled exception", exc_info=original)
        return _json_response(
            error_body(type="api_error", code="internal_error", message=GENERIC_500_MESSAGE), status
        )
    code = {
        400: "invalid_request",
        401: "authentication_failed",
        403: "permission_denied",
        409: "conflict",
        413: "request_too_large",
        415: "unsupported_media_type",
        429: "rate_limited",
    }.get(status, (error.name or "error").lower().replace(" ", "_"))
    message = data.get("message") or error.description or error.name
    return _json_response(
        error_body(type=error_type_for_status(status), code=code, message=str(message)), status, headers
    )


def is_store_outage(error: BaseException) -> bool:
    """The MongoDB-wire store is not answering: no server, a dropped connection, or FerretDB reporting
    that PostgreSQL under it is down. Nothing was written; the client may retry."""
    from pymongo.errors import ConnectionFailure, OperationFailure

    if isinstance(error, ConnectionFailure):
        return True
    if isinstance(error, OperationFailure):
        text = str(error.details or error).lower()
        return any(word in text for word in ("connection refused", "failed to connect", "connect:"))
    return False


def handle_unexpected_exception(error: Exception) -> Response:
    if isinstance(error, HTTPException):  # pragma: no cover - routed to the HTTP handler first
        return handle_http_exception(error)
    if is_store_outage(error):
        logger.warning("store unavailable in %s %s: %s", request.method, request.path, error)
        return handle_api_error(StoreUnavailable())
    logger.error("unhandled exception in %s %s", request.method, request.path, exc_info=error)
    return _json_response(
        error_body(type="api_error", code="internal_error", message=GENERIC_500_MESSAGE), 500
    )


def register_error_handlers(app: Flask) -> None:
    """Install the error handlers on ``app`` (replacing flask-smorest's ``HTTPException`` handler)."""
    app.register_error_handler(ApiError, handle_api_error)
    app.register_error_handler(ma.ValidationError, handle_validation_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected_exception)
