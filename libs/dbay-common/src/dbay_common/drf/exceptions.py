"""DRF exception handler: every error a Django service returns has the dBay error shape.

Set ``REST_FRAMEWORK["EXCEPTION_HANDLER"] = "dbay_common.drf.exception_handler"`` (``common_settings``
does). Known exceptions become their 4xx; anything else is logged with its traceback and answered
with a generic 500 whose body says nothing about the internals.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connections
from django.http import Http404
from rest_framework import exceptions as drf_exceptions
from rest_framework.response import Response

from dbay_common.django.outage import is_store_outage
from dbay_common.errors import (
    ApiError,
    AuthenticationFailed,
    MethodNotAllowed,
    NotFound,
    PermissionDenied,
    RateLimited,
    error_body,
    error_type_for_status,
)
from dbay_common.request_body import StoreUnavailable

logger = logging.getLogger("dbay_common.drf")

GENERIC_500_MESSAGE = "An internal error occurred. It has been logged; please try again later."


def _first_error(detail: Any, path: tuple[str, ...] = ()) -> tuple[tuple[str, ...], Any] | None:
    """The first leaf error of a (nested) DRF ValidationError detail, with the field path to it."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            found = _first_error(value, (*path, str(key)))
            if found is not None:
                return found
        return None
    if isinstance(detail, list | tuple):
        for index, value in enumerate(detail):
            # A list directly under a field is that field's list of messages; deeper lists are
            # ListSerializer children, which we address by index ("items.0.amount").
            is_message_list = not isinstance(value, dict | list | tuple)
            found = _first_error(value, path if is_message_list else (*path, str(index)))
            if found is not None:
                return found
        return None
    return path, detail


def validation_error_body(detail: Any) -> dict[str, Any]:
    """Error body for a DRF ``ValidationError`` detail: first field → ``param``, its code → ``code``."""
    found = _first_error(detail)
    if found is None:
        return error_body(type="invalid_request", code="invalid_field", message="Invalid input.")
    path, leaf = found
    if path and path[0] in ("non_field_errors", "__all__"):
        path = path[1:]
    drf_code = getattr(leaf, "code", None) or "invalid"
    code = "invalid_field" if drf_code == "invalid" else str(drf_code)
    param = ".".join(path) if path else None
    message = str(leaf)
    if param is not None and not message.lower().startswith(param.split(".")[-1].lower()):
        message = f"{param}: {message}"
    return error_body(type="invalid_request", code=code, message=message, param=param)


def set_rollback() -> None:
    """Mark open request transactions for rollback (as DRF's own handler does; relevant only to
    services that turn ``ATOMIC_REQUESTS`` on). Reimplemented because importing
    ``rest_framework.views`` here would be circular: DRF imports this module while loading it.
    """
    for connection in connections.all(initialized_only=True):
        if connection.settings_dict["ATOMIC_REQUESTS"] and connection.in_atomic_block:
            connection.set_rollback(True)


def _response(body: dict[str, Any], status: int, headers: dict[str, str] | None = None) -> Response:
    set_rollback()
    return Response(body, status=status, headers=headers or {})


def _api_exception_response(exc: drf_exceptions.APIException) -> Response:
    headers: dict[str, str] = {}
    status = int(exc.status_code)
    detail = exc.detail
    message = str(detail) if not isinstance(detail, list | dict) else "Request failed."
    codes = exc.get_codes()
    code = codes if isinstance(codes, str) else exc.default_code

    if isinstance(exc, drf_exceptions.ValidationError):
        return _response(validation_error_body(detail), 400)
    if isinstance(exc, drf_exceptions.ParseError):
        return _response(
            error_body(
                type="invalid_request", code="invalid_json", message=f"Malformed request body: {message}"
            ),
            400,
        )
    if isinstance(exc, drf_exceptions.NotAuthenticated | drf_exceptions.AuthenticationFailed):
        auth_header = getattr(exc, "auth_header", None)
        if status == 401:
            headers["WWW-Authenticate"] = auth_header or 'Bearer realm="api"'
            return _response(
                error_body(type=AuthenticationFailed.default_type, code=code, message=message), 401, headers
            )
        # DRF coerces to 403 when the view has no authenticator offering a challenge.
        return _response(error_body(type=PermissionDenied.default_type, code=code, message=message), status)
    if isinstance(exc, drf_exceptions.PermissionDenied):
        return _response(
            error_body(type=PermissionDenied.default_type, code="permission_denied", message=message), 403
        )
    if isinstance(exc, drf_exceptions.NotFound):
        return _response(error_body(type=NotFound.default_type, code="not_found", message=message), 404)
    if isinstance(exc, drf_exceptions.MethodNotAllowed):
        return _response(
            error_body(type=MethodNotAllowed.default_type, code="method_not_allowed", message=message), 405
        )
    if isinstance(exc, drf_exceptions.Throttled):
        wait = getattr(exc, "wait", None)
        if wait is not None:
            headers["Retry-After"] = str(max(0, math.ceil(wait)))
        return _response(
            error_body(type=RateLimited.default_type, code="rate_limited", message=message), 429, headers
        )
    return _response(error_body(type=error_type_for_status(status), code=str(code), message=message), status)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """Render ``exc`` in the dBay error shape (DRF ``EXCEPTION_HANDLER`` hook). Never returns None."""
    if isinstance(exc, ApiError):
        if exc.status >= 500:
            logger.error("API error %s (%s): %s", exc.status, exc.code, exc.message)
        return _response(exc.to_body(), exc.status, exc.headers)
    if isinstance(exc, Http404):
        return _response(NotFound().to_body(), 404)
    if isinstance(exc, DjangoPermissionDenied):
        return _response(PermissionDenied().to_body(), 403)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return _response(validation_error_body(drf_exceptions.ValidationError(detail).detail), 400)
    if isinstance(exc, drf_exceptions.APIException):
        return _api_exception_response(exc)
    if is_store_outage(exc):
        logger.warning("database unavailable: %s", exc)
        unavailable = StoreUnavailable()
        return _response(unavailable.to_body(), unavailable.status, unavailable.headers)
    view = context.get("view")
    logger.error(
        "unhandled exception in %s", type(view).__name__ if view is not None else "view", exc_info=exc
    )
    return _response(error_body(type="api_error", code="internal_error", message=GENERIC_500_MESSAGE), 500)
