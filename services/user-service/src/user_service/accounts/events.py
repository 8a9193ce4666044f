"""Events user-service publishes (typed payloads) and consumes (``HANDLERS``).

Each event is built in one function here, ``<event>_publish``, which the service functions call
inside their transaction: :func:`dbay_common.django.events.publish` writes it to the outbox with the
source ``settings.DBAY_EVENT_SOURCE`` (``dbay.user``) and the correlation id of the request being
served. Documented in ``docs/event-catalog.md``. Payloads never carry passwords, password hashes,
tokens, TOTP secrets or recovery codes.

`HANDLERS` maps an event's detail-type to the function that handles it; `manage.py consume_events`
reads it through settings.DBAY_EVENT_HANDLERS. Each handler calls one service function.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict

from dbay_common.django.events import publish
from dbay_common.events.envelope import Event
from dbay_common.events.schemas import register_event

if TYPE_CHECKING:
    from user_service.accounts.models import Profile, Session, User


@register_event("user.registered", 1)
class UserRegisteredV1(BaseModel):
    """A member signed up. ``email`` is not verified yet (see ``user.email_verified``)."""

    model_config = ConfigDict(extra="forbid")

    user_id: str
    username: str
    email: str
    roles: list[str]
    registered_at: AwareDatetime


@register_event("user.email_verified", 1)
class UserEmailVerifiedV1(BaseModel):
    """A member proved they receive mail at ``email`` (verification link or password reset)."""

    model_config = ConfigDict(extra="forbid")

    user_id: str
    email: str
    verified_at: AwareDatetime


@register_event("user.profile_updated", 1)
class UserProfileUpdatedV1(BaseModel):
    """A member changed their public profile; carries the whole profile and which fields changed."""

    model_config = ConfigDict(extra="forbid")

    user_id: str
    username: str
    display_name: str
    avatar_url: str
    location: str
    bio: str
    changed_fields: list[str]
    updated_at: AwareDatetime


SessionRevokedReason = Literal[
    "sign_out", "revoked", "refresh_token_reuse", "password_reset", "password_changed", "staff"
]


@register_event("session.revoked", 1)
class SessionRevokedV1(BaseModel):
    """A signed-in session ended before its time: every service refuses its access tokens from now on.

    ``reason``: the member signed out (``sign_out``), revoked it from the session list (``revoked``),
    a spent refresh token of it was presented again (``refresh_token_reuse``), the password was reset
    (``password_reset``: every session) or changed (``password_changed``: every other session), or
    staff ended it (``staff``).
    """

    model_config = ConfigDict(extra="forbid")

    session_id: str
    user_id: str
    revoked_at: AwareDatetime
    reason: SessionRevokedReason


@register_event("session.started", 1)
class SessionStartedV1(BaseModel):
    """A member signed in: a new session (refresh-token family) began.

    ``new_device`` is true when the browser's ``known_device`` cookie did not vouch for this member
    and the member had signed in before (a first sign-in after registering is not news). The
    notification-service warns the member of a sign-in from a new device. ``user_agent`` is the
    browser's own string (at most 512 characters); ``ip_address`` may be null behind some proxies.
    """

    model_config = ConfigDict(extra="forbid")

    session_id: str
    user_id: str
    new_device: bool
    ip_address: str | None
    user_agent: str
    started_at: AwareDatetime


# -- publishing (inside the caller's transaction) ------------------------------------------------------


def user_registered_publish(user: User) -> Event:
    """``user.registered`` for a member just created."""
    return publish(
        "user.registered",
        UserRegisteredV1(
            user_id=str(user.id),
            username=user.username,
            email=user.email,
            roles=user.roles,
            registered_at=user.created_at,
        ),
    )


def user_email_verified_publish(user: User) -> Event:
    """``user.email_verified`` for a member whose ``email_verified_at`` was just set."""
    return publish(
        "user.email_verified",
        UserEmailVerifiedV1(user_id=str(user.id), email=user.email, verified_at=user.email_verified_at),
    )


def user_profile_updated_publish(profile: Profile, *, changed_fields: list[str]) -> Event:
    """``user.profile_updated``: the whole profile as saved, and the names of the fields that changed."""
    return publish(
        "user.profile_updated",
        UserProfileUpdatedV1(
            user_id=str(profile.user_id),
            username=profile.user.username,
            display_name=profile.display_name,
            avatar_url=profile.avatar_url,
            location=profile.location,
            bio=profile.bio,
            changed_fields=changed_fields,
            updated_at=profile.updated_at,
        ),
    )


#: The event's ``reason`` for each ``Session.RevokeReason`` stored on the row.
_SESSION_REVOKED_REASONS: dict[str, SessionRevokedReason] = {
    "signed_out": "sign_out",
    "revoked_by_user": "revoked",
    "refresh_token_reused": "refresh_token_reuse",
    "password_reset": "password_reset",
    "password_changed": "password_changed",
    "staff": "staff",
}


def session_revoked_publish(session: Session, *, revoked_at: datetime) -> Event:
    """``session.revoked`` for a session whose ``revoked_at``/``revoke_reason`` were just set."""
    return publish(
        "session.revoked",
        SessionRevokedV1(
            session_id=str(session.id),
            user_id=str(session.user_id),
            revoked_at=revoked_at,
            reason=_SESSION_REVOKED_REASONS[session.revoke_reason],
        ),
    )


def session_started_publish(session: Session, *, new_device: bool) -> Event:
    """``session.started`` for a session just created (``session_start``)."""
    return publish(
        "session.started",
        SessionStartedV1(
            session_id=str(session.id),
            user_id=str(session.user_id),
            new_device=new_device,
            ip_address=session.ip_address,
            user_agent=session.user_agent,
            started_at=session.created_at,
        ),
    )


@register_event("user.suspended", 1)
class UserSuspendedV1(BaseModel):
    """Staff suspended a member: every session ended; the member cannot sign in, and the services
    that act for a member (bids, messages, publishing listings) refuse them from their own copy."""

    model_config = ConfigDict(extra="forbid")

    user_id: str
    reason: str
    suspended_at: AwareDatetime


@register_event("user.reinstated", 1)
class UserReinstatedV1(BaseModel):
    """Staff lifted a member's suspension: they may sign in and act again."""

    model_config = ConfigDict(extra="forbid")

    user_id: str
    reinstated_at: AwareDatetime


def user_suspended_publish(user: User) -> Event:
    """``user.suspended`` for a member whose ``suspended_at``/``suspension_reason`` were just set."""
    return publish(
        "user.suspended",
        UserSuspendedV1(user_id=str(user.id), reason=user.suspension_reason, suspended_at=user.suspended_at),
    )


def user_reinstated_publish(user: User, *, reinstated_at: datetime) -> Event:
    return publish("user.reinstated", UserReinstatedV1(user_id=str(user.id), reinstated_at=reinstated_at))


# -- consuming -----------------------------------------------------------------------------------------

HANDLERS: dict[str, Callable[[Event], None]] = {}
