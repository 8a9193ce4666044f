"""Django's error views in the dBay error shape.

DRF views already answer errors through the DRF exception handler; these cover what happens outside
them (unknown URL, an exception in a plain Django view or middleware, a bad Host header). Each
service's root ``urls.py`` imports ``handler400`` ... ``handler500`` from
:mod:`dbay_common.django.urls`, which names these views.
"""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponseBase, JsonResponse

from dbay_common.django.idempotency import idempotency_exempt
from dbay_common.django.outage import is_store_outage
from dbay_common.errors import (
    ApiError,
    InvalidRequest,
    MethodNotAllowed,
    NotFound,
    PermissionDenied,
    error_body,
)
from dbay_common.request_body import RequestTooLarge, StoreUnavailable

logger = logging.getLogger("dbay_common.django")

GENERIC_500_MESSAGE = "An internal error occurred. It has been logged; please try again later."

SAFE_METHODS = ("GET", "HEAD")

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def safe_methods_only(view: View) -> View:
    """Answer anything but GET and HEAD with a 405 in the error shape (and ``Allow``), before ``view``.

    For plain Django views outside DRF (health probes, Swagger UI's files); also exempts the view from
    Idempotency-Key handling, which only concerns writes.
    """

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method not in SAFE_METHODS:
            return JsonResponse(
                MethodNotAllowed().to_body(), status=405, headers={"Allow": ", ".join(SAFE_METHODS)}
            )
        return view(request, *args, **kwargs)

    return idempotency_exempt(wrapper)  # type: ignore[return-value]


def _error_response(error: ApiError) -> JsonResponse:
    return JsonResponse(error.to_body(), status=error.status, headers=error.headers)


def handler400(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    if isinstance(exception, RequestDataTooBig):
        return _error_response(RequestTooLarge.for_limit(settings.DATA_UPLOAD_MAX_MEMORY_SIZE))
    if isinstance(exception, ApiError):
        return _error_response(exception)
    return JsonResponse(InvalidRequest("The request could not be understood.").to_body(), status=400)


def handler403(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse(PermissionDenied().to_body(), status=403)


def handler404(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    message = f"Unrecognized request URL ({request.method}: {request.path})."
    return JsonResponse(NotFound(message).to_body(), status=404)


def handler500(request: HttpRequest) -> JsonResponse:
    # Django calls this inside its ``except`` block, so the exception is still the current one.
    exception = sys.exc_info()[1]
    if is_store_outage(exception):
        logger.warning("database unavailable: %s", exception)
        return _error_response(StoreUnavailable())
    if isinstance(exception, ApiError):  # raised by middleware, outside DRF's handler
        return _error_response(exception)
    # Django has already logged the exception (logger "django.request") with its traceback.
    return JsonResponse(
        error_body(type="api_error", code="internal_error", message=GENERIC_500_MESSAGE), status=500
    )
