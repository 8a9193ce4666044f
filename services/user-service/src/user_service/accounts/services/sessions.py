"""Sessions and their tokens: signing access tokens, issuing and rotating refresh tokens, signing out.

Each session is a refresh-token family: a refresh token is single use, and presenting a spent one
revokes the family. ``access_token_sign``, ``refresh_token_create``, ``session_start`` and
``sessions_revoke_all`` run inside the caller's transaction (sign-in, 2FA step-up, password changes).

Every path that ends a session goes through ``_session_revoke`` or ``sessions_revoke_all``, which
publish one ``session.revoked`` per ended session in the revoking transaction: other services list
the session as revoked from that event and refuse its access tokens.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dbay_common.errors import ApiError, AuthenticationFailed, NotFound
from user_service.accounts import keys
from user_service.accounts.events import session_revoked_publish, session_started_publish
from user_service.accounts.models import RefreshToken, Session, User
from user_service.accounts.services.common import (
    ClientInfo,
    IssuedTokens,
    account_suspended,
    new_secret_token,
    raise_after_commit,
    token_hash,
)
from user_service.accounts.services.signing_keys import signing_key_ensure_before_signing

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AccessToken:
    access_token: str
    expires_in: int


def access_token_sign(*, user: User, session: Session, now: datetime) -> AccessToken:
    """The RS256 access token of ``session`` (claims as listed in the README), signed now."""
    keyset = keys.current_keyset()
    issued_at = int(now.timestamp())
    ttl_s = int(settings.ACCESS_TOKEN_TTL_S)
    claims: dict[str, Any] = {
        "iss": settings.JWT_ISSUER,
        "aud": keys.access_token_audience(),
        "sub": str(user.id),
        "roles": user.roles,
        "sid": str(session.id),
        "amr": session.amr,
        "auth_time": int(session.auth_time.timestamp()),
        "email_verified": user.is_email_verified,
        "iat": issued_at,
        "nbf": issued_at,
        "exp": issued_at + ttl_s,
        "jti": keys.new_jti(),
    }
    if session.mfa_at is not None:
        claims["mfa_at"] = int(session.mfa_at.timestamp())
    return AccessToken(access_token=keys.sign_access_token(claims, keyset=keyset), expires_in=ttl_s)


def refresh_token_create(*, session: Session, now: datetime) -> str:
    """A new refresh token in ``session``'s family (stored hashed); the raw token, returned once."""
    raw = new_secret_token()
    RefreshToken.objects.create(
        session=session,
        token_hash=token_hash(raw),
        created_at=now,
        expires_at=min(session.expires_at, now + timedelta(seconds=settings.REFRESH_TOKEN_TTL_S)),
    )
    return raw


def session_start(
    *, user: User, client: ClientInfo, auth_time: datetime, mfa_at: datetime | None
) -> IssuedTokens:
    """A new session for ``user`` with its first refresh token and an access token.

    Emits ``session.started``; ``new_device`` when the caller's ``known_device`` cookie does not
    vouch for ``user`` and the member has signed in before.
    """
    now = timezone.now()
    device = client.known_device
    known_here = device is not None and str(user.id) in device.user_ids
    new_device = not known_here and Session.objects.filter(user=user).exists()
    session = Session.objects.create(
        user=user,
        created_at=now,
        last_used_at=now,
        expires_at=now + timedelta(seconds=settings.SESSION_MAX_AGE_S),
        auth_time=auth_time,
        mfa_at=mfa_at,
        user_agent=client.user_agent[:512],
        ip_address=client.ip_address,
    )
    session_started_publish(session, new_device=new_device)
    refresh = refresh_token_create(session=session, now=now)
    access = access_token_sign(user=user, session=session, now=now)
    User.objects.filter(pk=user.pk).update(last_login=now)
    return IssuedTokens(
        access_token=access.access_token,
        expires_in=access.expires_in,
        refresh_token=refresh,
        session=session,
        user=user,
    )


def _session_revoke(session: Session, *, reason: Session.RevokeReason, now: datetime) -> None:
    """End ``session`` (row locked by the caller, not yet revoked); emits ``session.revoked``."""
    session.revoked_at = now
    session.revoke_reason = reason
    session.save(update_fields=["revoked_at", "revoke_reason"])
    session_revoked_publish(session, revoked_at=now)


def sessions_revoke_all(
    *, user_id: uuid.UUID, reason: Session.RevokeReason, keep_session_id: uuid.UUID | None = None
) -> int:
    """Revoke every live session of the member except ``keep_session_id``; how many were revoked.

    Call inside a transaction. Locks the sessions' rows in id order; emits one ``session.revoked``
    per session it ends (sessions already revoked or expired are left alone).
    """
    now = timezone.now()
    sessions = Session.objects.filter(user_id=user_id, revoked_at__isnull=True, expires_at__gt=now)
    if keep_session_id is not None:
        sessions = sessions.exclude(pk=keep_session_id)
    ended = list(sessions.select_for_update().order_by("id"))
    for session in ended:
        _session_revoke(session, reason=reason, now=now)
    return len(ended)


@transaction.atomic
def sessions_revoke_by_staff(*, user_id: uuid.UUID, session_id: uuid.UUID | None = None) -> int:
    """Staff end one session of the member (``session_id``) or all of them; how many were ended.

    For an operator responding to a compromised account (``manage.py revoke_sessions``). Locks the
    session rows; emits ``session.revoked`` with reason ``staff`` for each.
    """
    if session_id is None:
        return sessions_revoke_all(user_id=user_id, reason=Session.RevokeReason.STAFF)
    session = (
        Session.objects.select_for_update()
        .filter(pk=session_id, user_id=user_id, revoked_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if session is None:
        raise NotFound("No such active session.", code="session_not_found")
    _session_revoke(session, reason=Session.RevokeReason.STAFF, now=timezone.now())
    return 1


def session_refresh(*, refresh_token: str, client: ClientInfo) -> IssuedTokens:
    """Rotate a refresh token: spend it and issue a new one (and an access token) in its family.

    Locks the session row, then reads the token under that lock, so two concurrent uses of one token
    cannot both succeed: the second sees it spent. Presenting a spent token revokes the whole family
    (401 ``refresh_token_reused``; committed, with ``session.revoked``, before answering). A revoked
    family answers 401 ``session_revoked`` (a suspended member's sessions were all revoked; should one
    survive, 403 ``account_suspended``), an expired token or session 401 ``session_expired``, an
    unknown token 401 ``invalid_token``.
    """

    def run() -> IssuedTokens | ApiError:
        now = timezone.now()
        hashed = token_hash(refresh_token)
        session_id = (
            RefreshToken.objects.filter(token_hash=hashed).values_list("session_id", flat=True).first()
        )
        if session_id is None:
            return AuthenticationFailed(
                "This refresh token is not valid; sign in again.", code="invalid_token"
            )
        session = (
            Session.objects.select_for_update(of=("self",)).select_related("user__profile").get(pk=session_id)
        )
        token = RefreshToken.objects.get(token_hash=hashed)
        if session.revoked_at is not None:
            return AuthenticationFailed("This session was signed out; sign in again.", code="session_revoked")
        if token.used_at is not None:
            _session_revoke(session, reason=Session.RevokeReason.REFRESH_TOKEN_REUSED, now=now)
            logger.warning("refresh token reuse: revoked session %s of user %s", session.id, session.user_id)
            return AuthenticationFailed(
                "This refresh token was already used, so the session has been signed out everywhere "
                "for safety; sign in again.",
                code="refresh_token_reused",
            )
        if token.expires_at <= now or session.expires_at <= now:
            return AuthenticationFailed("This session has expired; sign in again.", code="session_expired")
        user = session.user
        if not user.is_active:
            return AuthenticationFailed("This account is disabled.", code="session_revoked")
        if user.is_suspended:
            return account_suspended()
        token.used_at = now
        token.save(update_fields=["used_at"])
        raw = refresh_token_create(session=session, now=now)
        session.last_used_at = now
        session.ip_address = client.ip_address
        session.user_agent = client.user_agent[:512]
        session.save(update_fields=["last_used_at", "ip_address", "user_agent"])
        access = access_token_sign(user=user, session=session, now=now)
        return IssuedTokens(
            access_token=access.access_token,
            expires_in=access.expires_in,
            refresh_token=raw,
            session=session,
            user=user,
        )

    signing_key_ensure_before_signing()
    result: IssuedTokens = raise_after_commit(run)
    return result


@transaction.atomic
def session_logout(*, refresh_token: str | None, session_id: uuid.UUID | None = None) -> None:
    """Revoke the family of ``refresh_token`` (or, without one, the session ``session_id`` of the
    caller's access token). Locks the session row; emits ``session.revoked`` when it ends a session.
    Unknown tokens and ended sessions are ignored: signing out always succeeds."""
    target: uuid.UUID | None = None
    if refresh_token:
        target = (
            RefreshToken.objects.filter(token_hash=token_hash(refresh_token))
            .values_list("session_id", flat=True)
            .first()
        )
    if target is None:
        target = session_id
    if target is None:
        return
    session = Session.objects.select_for_update().filter(pk=target, revoked_at__isnull=True).first()
    if session is not None:
        _session_revoke(session, reason=Session.RevokeReason.SIGNED_OUT, now=timezone.now())


@transaction.atomic
def session_revoke(*, user_id: uuid.UUID, session_id: uuid.UUID) -> None:
    """Revoke one of the member's own active sessions (404 for anyone else's or an ended one).

    Locks the session row; emits ``session.revoked`` (reason ``revoked``)."""
    session = (
        Session.objects.select_for_update()
        .filter(pk=session_id, user_id=user_id, revoked_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if session is None:
        raise NotFound("No such active session.", code="session_not_found")
    _session_revoke(session, reason=Session.RevokeReason.REVOKED_BY_USER, now=timezone.now())
