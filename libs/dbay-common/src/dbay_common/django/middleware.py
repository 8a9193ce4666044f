"""Request and correlation ids for every request, in and out.

``X-Request-ID`` identifies one HTTP request (taken from the ingress when it sent a sane one, else
generated); ``X-Correlation-ID`` follows one user action across services and events (taken from the
caller, else equal to the request id). Both are echoed in the response, attached to the request
(``request.request_id``, ``request.correlation_id``) and put in the logging context variables so every
log line and every event published while handling the request carries them.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

from dbay_common.logging import correlation_id_var, request_id_var

REQUEST_ID_HEADER = "X-Request-ID"
CORRELATION_ID_HEADER = "X-Correlation-ID"

# Ids end up in logs and headers: accept only short, boring strings so a client cannot inject
# newlines or megabytes into either.
_SAFE_ID = re.compile(r"[A-Za-z0-9._:\-]{1,128}")


def safe_id(value: str | None) -> str | None:
    """``value`` if it is an acceptable id, else None."""
    if value is not None and _SAFE_ID.fullmatch(value):
        return value
    return None


def new_request_id() -> str:
    return uuid.uuid4().hex


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
