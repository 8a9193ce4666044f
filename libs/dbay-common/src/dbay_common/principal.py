"""Who is calling: the one way every service turns a verified token into a user id.

dBay issues user ids as UUIDs in the token's ``sub``. Every failure to name a user (no token, a
service token, a subject that is not a UUID) is the same answer everywhere: 401 ``not_authenticated``
in the shared error shape, so a client learns one rule and no view turns it into a 500 or a 403.
The DRF and Flask accessors (``dbay_common.drf.request_user_id``, ``dbay_common.flask.request_user_id``)
both end here.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from dbay_common.errors import AuthenticationFailed

__all__ = ["NOT_AUTHENTICATED_CODE", "user_id_from_claims"]

NOT_AUTHENTICATED_CODE = "not_authenticated"


def user_id_from_claims(claims: Mapping[str, Any] | None) -> uuid.UUID:
    """The user id in verified ``claims``; :class:`AuthenticationFailed` (401) when there is none."""
    subject = (claims or {}).get("sub")
    if not isinstance(subject, str):
        raise AuthenticationFailed("Sign in to continue.", code=NOT_AUTHENTICATED_CODE)
    try:
        return uuid.UUID(subject)
    except ValueError:
        raise AuthenticationFailed("Sign in to continue.", code=NOT_AUTHENTICATED_CODE) from None
