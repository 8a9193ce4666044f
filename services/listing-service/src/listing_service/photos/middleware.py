"""Request body limits per route: the photo upload takes up to ``PHOTO_MAX_BYTES``, all else 1 MiB.

Replaces ``dbay_common.django.middleware.BodySizeLimitMiddleware`` in this service's settings. Every
route keeps the shared limit (``DATA_UPLOAD_MAX_MEMORY_SIZE``, from ``MAX_REQUEST_BODY_BYTES``), except
a view that declares a larger one with a ``request_body_limit_bytes()`` static method. Such a body is
read here, bounded by the view's limit, before anything else reads it: Django's own
``request.body`` would refuse anything past the shared limit, and the Idempotency-Key middleware
reads the body to fingerprint it. Past the route's limit the answer is the shared 413
``request_too_large``, with nothing read.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase, JsonResponse

from dbay_common.request_body import RequestTooLarge


def _content_length(request: HttpRequest) -> int:
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


def _route_limit(view_func: Callable[..., Any]) -> int | None:
    for candidate in (getattr(view_func, "cls", None), getattr(view_func, "view_class", None), view_func):
        limit = getattr(candidate, "request_body_limit_bytes", None)
        if callable(limit):
            return int(limit())
    return None


def _too_large(limit: int) -> JsonResponse:
    error = RequestTooLarge.for_limit(limit)
    return JsonResponse(error.to_body(), status=error.status)


class BodySizeLimitMiddleware:
    """The shared limit for every route, a view's own limit where it declares one (module docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponseBase | None:
        shared_limit: int | None = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        route_limit = _route_limit(view_func)
        limit = route_limit if route_limit is not None else shared_limit
        length = _content_length(request)
        if limit is None:
            return None
        if length > limit:
            return _too_large(limit)
        if shared_limit is not None and length > shared_limit:
            # Only a route with a larger limit gets here. Read the body now (Content-Length bounds
            # it), where Django's own reader would refuse it for the shared limit.
            body = request.read(length)
            request._body = body
            request._stream = io.BytesIO(body)
        return None
