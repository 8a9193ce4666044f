"""Staff suspend a member and reinstate them (``manage.py suspend_user`` / ``reinstate_user``)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from dbay_common.errors import Conflict, InvalidRequest, NotFound
from user_service.accounts.events import user_reinstated_publish, user_suspended_publish
from user_service.accounts.models import Session, User
from user_service.accounts.services.sessions import sessions_revoke_all

SUSPENSION_REASON_MAX_LENGTH = 1000


def _user_lock(username: str) -> User:
    user = (
        User.objects.select_for_update()
        .annotate(key=Lower("username"))
        .filter(key=username.strip().lower())
        .first()
    )
    if user is None:
        raise NotFound(f"No user named {username!r}.", code="user_not_found")
    return user


@transaction.atomic
def user_suspend(*, username: str, reason: str, now: datetime | None = None) -> tuple[User, int]:
    """Suspend a member: ``suspended_at`` and the ``reason`` (1-1000 characters, for staff and the
    services told), every live session ended (``session.revoked``, reason ``staff``), then
    ``user.suspended``. Already suspended: 409 ``already_suspended``. Locks the user row, then the
    sessions. Returns the member and how many sessions ended."""
    text = " ".join(reason.split())
    if not text or len(text) > SUSPENSION_REASON_MAX_LENGTH:
        raise InvalidRequest(
            f"Say why the member is suspended (1 to {SUSPENSION_REASON_MAX_LENGTH} characters).",
            code="invalid_field",
            param="reason",
        )
    user = _user_lock(username)
    if user.is_suspended:
        raise Conflict(f"{user.username} is already suspended.", code="already_suspended")
    user.suspended_at, user.suspension_reason = now or timezone.now(), text
    user.save(update_fields=["suspended_at", "suspension_reason"])
    ended = sessions_revoke_all(user_id=user.id, reason=Session.RevokeReason.STAFF)
    user_suspended_publish(user)
    return user, ended


@transaction.atomic
def user_reinstate(*, username: str, now: datetime | None = None) -> User:
    """Lift a member's suspension (409 ``not_suspended`` when there is none); ``user.reinstated``.
    Locks the user row. The member signs in again to get a session."""
    user = _user_lock(username)
    if not user.is_suspended:
        raise Conflict(f"{user.username} is not suspended.", code="not_suspended")
    user.suspended_at, user.suspension_reason = None, ""
    user.save(update_fields=["suspended_at", "suspension_reason"])
    user_reinstated_publish(user, reinstated_at=now or timezone.now())
    return user
