"""Role-based DRF permissions on top of :class:`~dbay_common.drf.authentication.TokenUser`."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from dbay_common.jwt import FRESH_MFA_MAX_AGE_S, require_fresh_mfa


def roles_required(*roles: str) -> type[BasePermission]:
    """A permission class admitting authenticated callers whose token carries *all* of ``roles``.

    Anonymous callers get 401 (DRF turns a failed permission into ``NotAuthenticated`` when nobody
    authenticated), authenticated callers lacking a role get 403.
    """
    required = frozenset(roles)

    class HasRoles(BasePermission):
        message = f"This action requires the role(s): {', '.join(sorted(required))}."
        code = "missing_role"

        def has_permission(self, request: Request, view: Any) -> bool:
            user = request.user
            if not getattr(user, "is_authenticated", False):
                return False
            user_roles = set(getattr(user, "roles", ()))
            return required <= user_roles

    HasRoles.__name__ = HasRoles.__qualname__ = f"HasRoles_{'_'.join(sorted(required)) or 'any'}"
    return HasRoles


def fresh_mfa_required(max_age_s: int = FRESH_MFA_MAX_AGE_S) -> type[BasePermission]:
    """A permission class admitting callers whose token shows a TOTP check in the last ``max_age_s``.

    Anonymous callers get 401; authenticated callers without a fresh second factor get 403 with code
    ``mfa_required`` (see :func:`dbay_common.jwt.require_fresh_mfa` for the claims it reads and what the
    client should do). Combine with other permissions as usual::

        permission_classes = [IsAuthenticated, fresh_mfa_required(300)]
    """

    class HasFreshMfa(BasePermission):
        message = "This action needs two-factor verification."

        def has_permission(self, request: Request, view: Any) -> bool:
            user = request.user
            if not getattr(user, "is_authenticated", False):
                return False
            claims = getattr(user, "claims", None)
            # Raises the 403 mfa_required ApiError, which the dBay exception handler renders.
            require_fresh_mfa(claims if isinstance(claims, dict) else {}, max_age_s=max_age_s)
            return True

    HasFreshMfa.__name__ = HasFreshMfa.__qualname__ = f"HasFreshMfa_{max_age_s}s"
    return HasFreshMfa
