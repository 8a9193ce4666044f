"""Django REST Framework pieces: exception handler, JWT authentication, cursor pagination.

Import paths used in ``REST_FRAMEWORK`` settings point here (``dbay_common.drf.exception_handler``,
``dbay_common.drf.JwtAuthentication``, ``dbay_common.drf.CursorPagination``). The attributes are
loaded lazily: DRF resolves those settings while ``rest_framework.views`` is still being imported,
so importing our submodules eagerly here would be a circular import.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dbay_common.drf.authentication import (
        JwtAuthentication,
        TokenUser,
        django_jwt_verifier,
        request_user_id,
        session_now,
    )
    from dbay_common.drf.exceptions import exception_handler
    from dbay_common.drf.fields import KoinuField
    from dbay_common.drf.pagination import CursorPagination, paginated_response
    from dbay_common.drf.permissions import fresh_mfa_required, roles_required

_EXPORTS = {
    "JwtAuthentication": "dbay_common.drf.authentication",
    "TokenUser": "dbay_common.drf.authentication",
    "django_jwt_verifier": "dbay_common.drf.authentication",
    "request_user_id": "dbay_common.drf.authentication",
    "session_now": "dbay_common.drf.authentication",
    "exception_handler": "dbay_common.drf.exceptions",
    "KoinuField": "dbay_common.drf.fields",
    "CursorPagination": "dbay_common.drf.pagination",
    "paginated_response": "dbay_common.drf.pagination",
    "roles_required": "dbay_common.drf.permissions",
    "fresh_mfa_required": "dbay_common.drf.permissions",
}

__all__ = [
    "CursorPagination",
    "JwtAuthentication",
    "KoinuField",
    "TokenUser",
    "django_jwt_verifier",
    "exception_handler",
    "fresh_mfa_required",
    "paginated_response",
    "request_user_id",
    "roles_required",
    "session_now",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'dbay_common.drf' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
