"""Housekeeping and operators' commands: the purge of old sign-in records, the staff role."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from dbay_common.errors import NotFound
from user_service.accounts.models import LoginChallenge, Session, User


@dataclass(frozen=True)
class PurgeResult:
    sessions: int
    login_challenges: int


@transaction.atomic
def auth_records_purge(*, older_than: timedelta) -> PurgeResult:
    """Delete sessions (with their refresh tokens) that ended more than ``older_than`` ago, and
    sign-in challenges older than that. Spent refresh tokens of live sessions are kept: they are
    what detects reuse."""
    cutoff = timezone.now() - older_than
    ended = Session.objects.filter(revoked_at__lt=cutoff) | Session.objects.filter(expires_at__lt=cutoff)
    _, sessions = Session.objects.filter(pk__in=ended.values("pk")).delete()
    challenges, _ = LoginChallenge.objects.filter(created_at__lt=cutoff).delete()
    return PurgeResult(sessions=sessions.get(Session._meta.label, 0), login_challenges=challenges)


@transaction.atomic
def user_staff_set(*, username: str, is_staff: bool) -> User:
    """Grant or remove the staff role (operators only: there is no API for it). Locks the user row.

    Takes effect in new access tokens (at the next refresh, within 15 minutes).
    """
    user = (
        User.objects.select_for_update()
        .annotate(key=Lower("username"))
        .filter(key=username.strip().lower())
        .first()
    )
    if user is None:
        raise NotFound(f"No user named {username!r}.", code="user_not_found")
    user.is_staff = is_staff
    user.save(update_fields=["is_staff"])
    return user
