"""Role-based DRF permissions on top of :class:`~dbay_common.drf.authentication.TokenUser`."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request


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
