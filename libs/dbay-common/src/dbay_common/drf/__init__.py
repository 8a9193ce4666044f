"""Django REST Framework pieces: exception handler, JWT authentication, cursor pagination.

Import paths used in ``REST_FRAMEWORK`` settings point here (``dbay_common.drf.exception_handler``,
``dbay_common.drf.JwtAuthentication``, ``dbay_common.drf.CursorPagination``). Import this package
only once Django settings are configured (DRF reads them at import time).
"""

from dbay_common.drf.authentication import JwtAuthentication, TokenUser, django_jwt_verifier
from dbay_common.drf.exceptions import exception_handler
from dbay_common.drf.pagination import CursorPagination, paginated_response
from dbay_common.drf.permissions import roles_required

__all__ = [
    "CursorPagination",
    "JwtAuthentication",
    "TokenUser",
    "django_jwt_verifier",
    "exception_handler",
    "paginated_response",
    "roles_required",
]
