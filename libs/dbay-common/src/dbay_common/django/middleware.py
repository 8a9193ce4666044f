"""Request and correlation ids for every request, in and out (see :mod:`dbay_common.request_ids`).

Both ids are echoed in the response, attached to the request
(``request.request_id``, ``request.correlation_id``) and put in the logging context variables so every
log line and every event published while handling the request carries them.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

from dbay_common.logging import correlation_id_var, request_id_var
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
