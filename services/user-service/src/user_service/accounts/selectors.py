"""Reads for user-service: functions that query and return data, never change it."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from dbay_common.errors import NotFound
from user_service.accounts import keys
from user_service.accounts.models import LoginChallenge, Session, User


def user_get(*, user_id: uuid.UUID | str) -> User:
    """The active member with their profile; 404 when there is none (e.g. a deleted account)."""
    user = User.objects.select_related("profile").filter(pk=user_id, is_active=True).first()
    if user is None:
        raise NotFound("No such user.", code="user_not_found")
    return user


def session_list(*, user_id: uuid.UUID | str) -> QuerySet[Session]:
    """The member's active sessions (not revoked, not expired), newest first."""
    return Session.objects.filter(user_id=user_id, revoked_at__isnull=True, expires_at__gt=timezone.now())


def login_challenge_user_id(*, mfa_token: str) -> str | None:
    """The user a sign-in challenge belongs to (for per-account limits), if the token is known."""
    user_id = (
        LoginChallenge.objects.filter(token_hash=hashlib.sha256(mfa_token.encode("utf-8")).hexdigest())
        .values_list("user_id", flat=True)
        .first()
    )
    return str(user_id) if user_id is not None else None


@dataclass(frozen=True)
class LiveSession:
    """A session that is live right now (not revoked, not expired, its account active), with the
    account facts other services ask for before moving money or changing security settings."""

    session_id: uuid.UUID
    user_id: uuid.UUID
    email_verified: bool
    mfa_enabled: bool


def session_live_get(*, session_id: str, user_id: str) -> LiveSession | None:
    """``session_id`` if it is a live session of the active user ``user_id``, else None.

    One query on the session's primary key joined to its user's row: it runs for every request to an
    account endpoint and for every introspection (``GET me/session``) other services make.
    """
    try:
        parsed_session, parsed_user = uuid.UUID(session_id), uuid.UUID(user_id)
    except (TypeError, ValueError):
        return None
    row = (
        Session.objects.filter(
            pk=parsed_session,
            user_id=parsed_user,
            user__is_active=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .values_list("user__email_verified_at", "user__totp_enabled_at")
        .first()
    )
    if row is None:
        return None
    email_verified_at, totp_enabled_at = row
    return LiveSession(
        session_id=parsed_session,
        user_id=parsed_user,
        email_verified=email_verified_at is not None,
        mfa_enabled=totp_enabled_at is not None,
    )


def user_get_by_username(*, username: str) -> User:
    """The member named ``username`` (any case, active or not); 404 when there is none."""
    user = User.objects.annotate(key=Lower("username")).filter(key=username.strip().lower()).first()
    if user is None:
        raise NotFound(f"No user named {username!r}.", code="user_not_found")
    return user


@dataclass(frozen=True)
class Rating:
    count: int
    average: float | None


@dataclass(frozen=True)
class SellerProfile:
    id: str
    username: str
    display_name: str
    avatar_url: str
    location: str
    bio: str
    member_since: datetime
    rating: Rating
    listing_count: int


def seller_profile_get(*, username: str) -> SellerProfile:
    """The public profile of the seller ``username`` (any case); 404 when there is no such member.

    ``rating`` and ``listing_count`` are placeholders until the order and listing issues feed them.
    """
    user = (
        User.objects.annotate(key=Lower("username"))
        .filter(key=username.lower(), is_active=True)
        .select_related("profile")
        .first()
    )
    if user is None:
        raise NotFound("No such seller.", code="seller_not_found")
    profile = user.profile
    return SellerProfile(
        id=str(user.id),
        username=user.username,
        display_name=profile.display_name,
        avatar_url=profile.avatar_url,
        location=profile.location,
        bio=profile.bio,
        member_since=user.created_at,
        rating=Rating(count=0, average=None),
        listing_count=0,
    )


def jwks_document() -> dict[str, Any]:
    """The JWKS: public keys of the current, previous and not-yet-active signing keys."""
    return keys.published_jwks()
