"""Request and correlation ids: header names and validation, shared by the Django and Flask hooks.

``X-Request-ID`` identifies one HTTP request (taken from the ingress when it sent a sane one, else
generated); ``X-Correlation-ID`` follows one user action across services and events (taken from the
caller, else equal to the request id).
"""

from __future__ import annotations

import re
import uuid

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
    """A fresh random id (32 hex characters)."""
    return uuid.uuid4().hex
