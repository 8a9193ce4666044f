"""Request and correlation ids for every request, in and out (see :mod:`dbay_common.request_ids`).

Both ids are echoed in the response, attached to the request
(``request.request_id``, ``request.correlation_id``) and put in the logging context variables so every
log line and every event published while handling the request carries them.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase, JsonResponse

from dbay_common.logging import correlation_id_var, request_id_var
from dbay_common.request_body import RequestTooLarge
from dbay_common.request_ids import CORRELATION_ID_HEADER, REQUEST_ID_HEADER, new_request_id, safe_id


class RequestIdMiddleware:
    """Assign request/correlation ids and expose them to logs, the view and the response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        request_id = safe_id(request.headers.get(REQUEST_ID_HEADER)) or new_request_id()
        correlation_id = safe_id(request.headers.get(CORRELATION_ID_HEADER)) or request_id
        request.request_id = request_id  # type: ignore[attr-defined]
        request.correlation_id = correlation_id  # type: ignore[attr-defined]
        request_token = request_id_var.set(request_id)
        correlation_token = correlation_id_var.set(correlation_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(request_token)
            correlation_id_var.reset(correlation_token)
        response[REQUEST_ID_HEADER] = request_id
        response[CORRELATION_ID_HEADER] = correlation_id
        return response


class BodySizeLimitMiddleware:
    """Refuse a body whose ``Content-Length`` passes ``DATA_UPLOAD_MAX_MEMORY_SIZE`` with 413, unread.

    Django checks the limit only when ``request.body`` is read; DRF may stream the body without
    reading it that way, so the check is made here, once, for every view. A chunked body with no
    length is read through ``request.body`` (checked by Django, answered 413 by ``handler400``).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit is not None and length > limit:
            error = RequestTooLarge.for_limit(limit)
            return JsonResponse(error.to_body(), status=error.status)
        return self.get_response(request)
