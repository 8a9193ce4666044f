"""Writes for user-service: `<entity>_<action>` functions, keyword-only and `@transaction.atomic`.

Each one documents its invariants, the rows it locks and the events it puts in the outbox.

Failures that must leave a trace (a wrong password counts towards the lockout, a reused refresh
token revokes its family) commit that trace first and raise afterwards: the pattern is a private
``_..._locked`` function that runs in the transaction and *returns* the error, and the public
function that raises it once the transaction has committed.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from celery import Task
from django.conf import settings
from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from dbay_common.django.celery import schedule_outbox_relay_on_commit
from dbay_common.django.outbox import outbox_publish
from dbay_common.errors import (
    ApiError,
    AuthenticationFailed,
    Conflict,
    InvalidRequest,
    NotFound,
    PermissionDenied,
)
from dbay_common.events.envelope import Event
from dbay_common.logging import correlation_id_var
from user_service.accounts import crypto, keys, links, totp
from user_service.accounts.events import (
    SOURCE,
    UserEmailVerifiedV1,
    UserProfileUpdatedV1,
    UserRegisteredV1,
)
from user_service.accounts.models import (
    LoginChallenge,
    Profile,
    RecoveryCode,
    RefreshToken,
    Session,
    SigningKey,
    User,
)
from user_service.accounts.throttling import login_lockout

logger = logging.getLogger(__name__)

RESERVED_USERNAMES = frozenset(
    {
        "admin",
        "administrator",
        "root",
        "staff",
        "support",
        "help",
        "dbay",
        "system",
        "moderator",
        "me",
        "api",
        "security",
        "official",
        "null",
        "undefined",
        "anonymous",
    }
)
# The hash checked when the account does not exist, so "no such user" takes as long as "wrong password".
_DUMMY_PASSWORD = "dbay-timing-equaliser-not-a-password"


# -- results and errors ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClientInfo:
    """Who is calling, as far as sessions record it."""

    ip_address: str | None
    user_agent: str


@dataclass(frozen=True)
class AccessToken:
    access_token: str
    expires_in: int


@dataclass(frozen=True)
class IssuedTokens:
    """A signed-in session's tokens. ``refresh_token`` is the only copy of the secret: never stored."""

    access_token: str
    expires_in: int
    refresh_token: str
    session: Session
    user: User


@dataclass(frozen=True)
class MfaChallengeIssued:
    """The password was right and 2FA is on: the client must send a code with ``mfa_token``."""

    mfa_token: str
    expires_in: int


class AccountLocked(ApiError):  # noqa: N818 - reads as the API code
    """Too many failed sign-ins: 423 with the unlock time in the message and ``Retry-After``."""

    default_status = 423
    default_type = "authentication_error"
    default_code = "account_locked"

    def __init__(self, *, locked_for_s: float) -> None:
        seconds = max(1, int(locked_for_s + 0.999))
        unlock_at = timezone.now() + timedelta(seconds=seconds)
        minutes = max(1, round(seconds / 60))
        super().__init__(
            "This account is locked after too many failed sign-in attempts. It unlocks at "
            f"{unlock_at.astimezone(UTC).strftime('%Y-%m-%d %H:%M:%S')} UTC (in about {minutes} "
            f"minute{'s' if minutes != 1 else ''}); resetting your password unlocks it now.",
            headers={"Retry-After": str(seconds)},
        )
        self.unlock_at = unlock_at


def _invalid_credentials() -> AuthenticationFailed:
    return AuthenticationFailed("The email/username or password is incorrect.", code="invalid_credentials")


def _invalid_code() -> InvalidRequest:
    return InvalidRequest("The code is incorrect or was already used.", code="invalid_mfa_code", param="code")


def _weak_password(error: ValidationError, *, param: str) -> InvalidRequest:
    return InvalidRequest(" ".join(error.messages), code="weak_password", param=param)


# -- helpers -------------------------------------------------------------------------------------------


def token_hash(raw: str) -> str:
    """SHA-256 of a random token (refresh token, mfa_token): what the database stores instead."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _new_secret_token() -> str:
    return secrets.token_urlsafe(32)


def _publish(detail_type: str, data: Any) -> None:
    outbox_publish(
        Event.new(
            source=SOURCE,
            detail_type=detail_type,
            data=data,
            producer=settings.DBAY_SERVICE,
            correlation_id=correlation_id_var.get(),
        )
    )
    schedule_outbox_relay_on_commit()


def _enqueue_on_commit(task: Task, *args: Any) -> None:
    """Queue a Celery task once the transaction commits, never blocking the request on a dead broker."""

    def enqueue() -> None:
        try:
            with task.app.connection_for_write(transport_options={"max_retries": 0}) as broker:
                task.apply_async(args=args, connection=broker, retry=False)
        except Exception:
            logger.error("could not queue %s; the user can ask for the mail again", task.name, exc_info=True)

    transaction.on_commit(enqueue)


def _lockout_key(user: User | None, login: str) -> str:
    return f"user:{user.id}" if user is not None else f"unknown:{login.strip().lower()}"


def _user_by_login(login: str) -> User | None:
    login = login.strip()
    field = "email" if "@" in login else "username"
    return User.objects.annotate(key=Lower(field)).filter(key=login.lower()).select_related("profile").first()


def normalize_email(email: str) -> str:
    return BaseUserManager.normalize_email(email.strip())


def _validate_new_password(password: str, *, user: User, param: str) -> None:
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        raise _weak_password(error, param=param) from None


# -- registration and email verification -----------------------------------------------------------------


def user_register(*, email: str, username: str, password: str) -> User:
    """Create a member (buyer and seller) with an empty profile; email not yet verified.

    Invariants: email and username unique regardless of case (database constraints; a concurrent
    duplicate loses with 409 ``email_taken``/``username_taken``); the password passes the validators
    (400 ``weak_password``). Emits ``user.registered``; after commit queues the verification mail.
    Nothing is written on any failure.
    """
    email = normalize_email(email)
    username = username.strip()
    if username.lower() in RESERVED_USERNAMES:
        raise Conflict("This username is not available.", code="username_taken", param="username")
    candidate = User(email=email, username=username)
    _validate_new_password(password, user=candidate, param="password")
    if User.objects.annotate(key=Lower("email")).filter(key=email.lower()).exists():
        raise Conflict("An account with this email already exists.", code="email_taken", param="email")
    if User.objects.annotate(key=Lower("username")).filter(key=username.lower()).exists():
        raise Conflict("This username is taken.", code="username_taken", param="username")
    candidate.set_password(password)
    try:
        with transaction.atomic():
            candidate.save(force_insert=True)
            Profile.objects.create(user=candidate)
            _publish(
                "user.registered",
                UserRegisteredV1(
                    user_id=str(candidate.id),
                    username=candidate.username,
                    email=candidate.email,
                    roles=candidate.roles,
                    registered_at=candidate.created_at,
                ),
            )
            from user_service.accounts.tasks import send_verification_email_task

            _enqueue_on_commit(send_verification_email_task, str(candidate.id))
    except IntegrityError as error:
        if "accounts_user_email_ci_uniq" in str(error):
            raise Conflict(
                "An account with this email already exists.", code="email_taken", param="email"
            ) from None
        if "accounts_user_username_ci_uniq" in str(error):
            raise Conflict("This username is taken.", code="username_taken", param="username") from None
        raise
    return User.objects.select_related("profile").get(pk=candidate.pk)


def user_verification_email_send(*, user_id: uuid.UUID) -> bool:
    """Send the verification mail (SMTP, Django's backend) if the address is still unverified.

    Returns whether a mail was sent. Run by a Celery task; raises on SMTP failure so it retries.
    """
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or user.is_email_verified:
        return False
    links.verification_email(user).send(fail_silently=False)
    return True


@transaction.atomic
def user_email_verify(*, token: str) -> User:
    """Mark the address in ``token`` verified. Locks the user row.

    400 ``invalid_token``/``token_expired`` for a bad link, or one for an address the account no
    longer has. Verifying again is harmless (no second event). Emits ``user.email_verified``.
    """
    claims = links.read_email_verification_token(token)
    user = User.objects.select_for_update().filter(pk=claims.user_id, is_active=True).first()
    if user is None or not links.is_verification_for(claims, user):
        raise InvalidRequest("This link is invalid.", code="invalid_token", param="token")
    if user.email_verified_at is None:
        _mark_email_verified(user)
    return User.objects.select_related("profile").get(pk=user.pk)


def _mark_email_verified(user: User) -> None:
    user.email_verified_at = timezone.now()
    user.save(update_fields=["email_verified_at"])
    _publish(
        "user.email_verified",
        UserEmailVerifiedV1(user_id=str(user.id), email=user.email, verified_at=user.email_verified_at),
    )


@transaction.atomic
def user_verification_resend(*, email: str) -> None:
    """Queue another verification mail when ``email`` belongs to an unverified account.

    Says nothing about whether it does (the caller always answers 202).
    """
    user = User.objects.annotate(key=Lower("email")).filter(key=normalize_email(email).lower()).first()
    if user is not None and user.is_active and not user.is_email_verified:
        from user_service.accounts.tasks import send_verification_email_task

        _enqueue_on_commit(send_verification_email_task, str(user.id))


# -- sessions and tokens -------------------------------------------------------------------------------


def _ensure_signing_key() -> None:
    """Create the very first signing key if there is none; called *before* the transaction that
    signs, so the key is committed before any token signed by it leaves."""
    if keys.current_keyset().signing_key is None:
        signing_key_ensure()
        keys.reset_key_cache()


def _access_token(*, user: User, session: Session, now: datetime) -> AccessToken:
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


def _refresh_token_create(*, session: Session, now: datetime) -> str:
    raw = _new_secret_token()
    RefreshToken.objects.create(
        session=session,
        token_hash=token_hash(raw),
        created_at=now,
        expires_at=min(session.expires_at, now + timedelta(seconds=settings.REFRESH_TOKEN_TTL_S)),
    )
    return raw


def _session_start(
    *, user: User, client: ClientInfo, auth_time: datetime, mfa_at: datetime | None
) -> IssuedTokens:
    now = timezone.now()
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
    refresh = _refresh_token_create(session=session, now=now)
    access = _access_token(user=user, session=session, now=now)
    User.objects.filter(pk=user.pk).update(last_login=now)
    return IssuedTokens(
        access_token=access.access_token,
        expires_in=access.expires_in,
        refresh_token=refresh,
        session=session,
        user=user,
    )


def _session_revoke(session: Session, *, reason: Session.RevokeReason, now: datetime) -> None:
    session.revoked_at = now
    session.revoke_reason = reason
    session.save(update_fields=["revoked_at", "revoke_reason"])


def _sessions_revoke_all(
    *, user_id: uuid.UUID, reason: Session.RevokeReason, keep_session_id: uuid.UUID | None = None
) -> int:
    sessions = Session.objects.filter(user_id=user_id, revoked_at__isnull=True)
    if keep_session_id is not None:
        sessions = sessions.exclude(pk=keep_session_id)
    return sessions.update(revoked_at=timezone.now(), revoke_reason=reason)


def _raise_after_commit(run: Callable[[], Any]) -> Any:
    """Run ``run`` in a transaction; if it returned an ApiError, raise it after the commit."""
    with transaction.atomic():
        outcome = run()
    if isinstance(outcome, ApiError):
        raise outcome
    return outcome


# -- sign-in -------------------------------------------------------------------------------------------


def user_login(*, login: str, password: str, client: ClientInfo) -> IssuedTokens | MfaChallengeIssued:
    """Check ``login`` (email or username) and ``password``; start a session or a 2FA challenge.

    Failures answer 401 ``invalid_credentials`` whether or not the account exists (a dummy hash is
    checked for unknown accounts so timing says nothing either) and count towards the lockout of the
    account (or of the unknown name, which behaves identically): the failure that reaches
    ``LOGIN_LOCKOUT_MAX_FAILURES`` in the window, and every attempt while locked, answer 423
    ``account_locked``. Signing in with an unverified email is allowed (``email_verified`` false).
    Writes: the session and its first refresh token, or a ``LoginChallenge``.
    """
    user = _user_by_login(login)
    lockout = login_lockout()
    lock_key = _lockout_key(user, login)
    state = lockout.state(lock_key)
    if state.is_locked:
        raise AccountLocked(locked_for_s=state.locked_for_s)
    if user is None:
        User(password="").set_password(_DUMMY_PASSWORD)  # same work as a real check
        is_valid = False
    else:
        is_valid = user.check_password(password)  # also upgrades an outdated hash
    if not is_valid or user is None:
        failure = lockout.record_failure(lock_key)
        if failure.is_locked:
            raise AccountLocked(locked_for_s=failure.locked_for_s)
        raise _invalid_credentials()
    if not user.is_active:
        raise PermissionDenied("This account is disabled.", code="account_disabled")
    if not user.is_two_factor_enabled:
        # With 2FA the failures are cleared only once the code is right too: otherwise knowing the
        # password would reset the count of wrong codes at will.
        lockout.clear(lock_key)
    _ensure_signing_key()
    now = timezone.now()
    with transaction.atomic():
        if user.is_two_factor_enabled:
            raw = _new_secret_token()
            LoginChallenge.objects.create(
                user=user,
                token_hash=token_hash(raw),
                created_at=now,
                expires_at=now + timedelta(seconds=settings.MFA_CHALLENGE_TTL_S),
                auth_time=now,
            )
            return MfaChallengeIssued(mfa_token=raw, expires_in=settings.MFA_CHALLENGE_TTL_S)
        return _session_start(user=user, client=client, auth_time=now, mfa_at=None)


def _second_factor_check(user: User, code: str) -> bool:
    """Accept a TOTP code (newer than the last one used) or an unused recovery code, consuming it.

    Call inside the transaction holding the user row lock.
    """
    normalized = totp.normalize_code(code)
    if totp.is_totp_code(normalized):
        secret = _totp_secret(user, encrypted=user.totp_secret_encrypted)
        step = totp.matching_step(secret, normalized, after_step=user.totp_last_step)
        if step is None:
            return False
        user.totp_last_step = step
        user.save(update_fields=["totp_last_step"])
        return True
    if totp.is_recovery_code(normalized):
        used = RecoveryCode.objects.filter(
            user=user, code_hash=totp.recovery_code_hash(normalized), used_at__isnull=True
        ).update(used_at=timezone.now())
        return used == 1
    return False


def _totp_secret(user: User, *, encrypted: str) -> str:
    return crypto.decrypt(
        encrypted, purpose=crypto.PURPOSE_TOTP_SECRET, associated_data=str(user.id).encode()
    ).decode()


def _code_failure(user: User) -> ApiError:
    """Count a wrong code towards the account's lockout; the error to answer with."""
    failure = login_lockout().record_failure(_lockout_key(user, ""))
    return AccountLocked(locked_for_s=failure.locked_for_s) if failure.is_locked else _invalid_code()


def _raise_if_locked(user: User) -> None:
    state = login_lockout().state(_lockout_key(user, ""))
    if state.is_locked:
        raise AccountLocked(locked_for_s=state.locked_for_s)


def user_login_mfa(*, mfa_token: str, code: str, client: ClientInfo) -> IssuedTokens:
    """Second step of a 2FA sign-in: a TOTP or recovery code for the challenge of ``mfa_token``.

    Locks the challenge, then the user row. The challenge is single-use and dies after
    ``MFA_CHALLENGE_MAX_ATTEMPTS`` wrong codes (401 ``invalid_token``; sign in again); a wrong code
    is 400 ``invalid_mfa_code`` and counts towards the account lockout. On success the session
    starts with ``amr`` pwd+otp and ``mfa_at`` now.
    """

    def run() -> IssuedTokens | ApiError:
        now = timezone.now()
        challenge = (
            LoginChallenge.objects.select_for_update().filter(token_hash=token_hash(mfa_token)).first()
        )
        if challenge is None or challenge.consumed_at is not None:
            return AuthenticationFailed(
                "This sign-in step is no longer valid; sign in again.",
                code="invalid_token",
                param="mfa_token",
            )
        if challenge.expires_at <= now:
            return AuthenticationFailed(
                "This sign-in step has expired; sign in again.", code="token_expired", param="mfa_token"
            )
        user = (
            User.objects.select_for_update(of=("self",)).select_related("profile").get(pk=challenge.user_id)
        )
        _raise_if_locked(user)
        if not user.is_active or not user.is_two_factor_enabled:
            challenge.consumed_at = now
            challenge.save(update_fields=["consumed_at"])
            return AuthenticationFailed(
                "This sign-in step is no longer valid; sign in again.", code="invalid_token"
            )
        if not _second_factor_check(user, code):
            challenge.failed_attempts += 1
            if challenge.failed_attempts >= settings.MFA_CHALLENGE_MAX_ATTEMPTS:
                challenge.consumed_at = now
            challenge.save(update_fields=["failed_attempts", "consumed_at"])
            return _code_failure(user)
        challenge.consumed_at = now
        challenge.save(update_fields=["consumed_at"])
        login_lockout().clear(_lockout_key(user, ""))
        return _session_start(user=user, client=client, auth_time=challenge.auth_time, mfa_at=now)

    _ensure_signing_key()
    result: IssuedTokens = _raise_after_commit(run)
    return result


def session_refresh(*, refresh_token: str, client: ClientInfo) -> IssuedTokens:
    """Rotate a refresh token: spend it and issue a new one (and an access token) in its family.

    Locks the session row, then reads the token under that lock, so two concurrent uses of one token
    cannot both succeed: the second sees it spent. Presenting a spent token revokes the whole family
    (401 ``refresh_token_reused``; committed before answering). A revoked family answers 401
    ``session_revoked``, an expired token or session 401 ``session_expired``, an unknown token 401
    ``invalid_token``.
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
        token.used_at = now
        token.save(update_fields=["used_at"])
        raw = _refresh_token_create(session=session, now=now)
        session.last_used_at = now
        session.ip_address = client.ip_address
        session.user_agent = client.user_agent[:512]
        session.save(update_fields=["last_used_at", "ip_address", "user_agent"])
        access = _access_token(user=user, session=session, now=now)
        return IssuedTokens(
            access_token=access.access_token,
            expires_in=access.expires_in,
            refresh_token=raw,
            session=session,
            user=user,
        )

    _ensure_signing_key()
    result: IssuedTokens = _raise_after_commit(run)
    return result


@transaction.atomic
def session_logout(*, refresh_token: str | None, session_id: uuid.UUID | None = None) -> None:
    """Revoke the family of ``refresh_token`` (or, without one, the session ``session_id`` of the
    caller's access token). Locks the session row. Unknown tokens are ignored: signing out always
    succeeds."""
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
    """Revoke one of the member's own active sessions (404 for anyone else's or an ended one)."""
    session = (
        Session.objects.select_for_update()
        .filter(pk=session_id, user_id=user_id, revoked_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if session is None:
        raise NotFound("No such active session.", code="session_not_found")
    _session_revoke(session, reason=Session.RevokeReason.REVOKED_BY_USER, now=timezone.now())


# -- passwords -------------------------------------------------------------------------------------------


@transaction.atomic
def user_password_forgot(*, email: str) -> None:
    """Queue a reset mail if ``email`` belongs to an active account; never says whether it does."""
    user = User.objects.annotate(key=Lower("email")).filter(key=normalize_email(email).lower()).first()
    if user is not None and user.is_active:
        from user_service.accounts.tasks import send_password_reset_email_task

        _enqueue_on_commit(send_password_reset_email_task, str(user.id))


def user_password_reset_email_send(*, user_id: uuid.UUID) -> bool:
    """Send the reset mail (run by a Celery task; raises on SMTP failure so it retries)."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    links.password_reset_email(user).send(fail_silently=False)
    return True


def user_password_reset(*, token: str, new_password: str) -> None:
    """Set a new password from a reset link. Locks the user row.

    The link is single-use (it is bound to the old password hash). Every session of the account is
    revoked, the sign-in lockout is lifted, and the email counts as verified (the link proved the
    member reads it; emits ``user.email_verified`` if it was not).
    """
    claims = links.read_password_reset_token(token)
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=claims.user_id, is_active=True).first()
        if user is None or not links.is_reset_for(claims, user):
            raise InvalidRequest(
                "This link is invalid or was already used.", code="invalid_token", param="token"
            )
        _validate_new_password(new_password, user=user, param="new_password")
        user.set_password(new_password)
        user.password_changed_at = timezone.now()
        user.save(update_fields=["password", "password_changed_at"])
        _sessions_revoke_all(user_id=user.id, reason=Session.RevokeReason.PASSWORD_RESET)
        if user.email_verified_at is None:
            _mark_email_verified(user)
    login_lockout().clear(_lockout_key(user, ""), unlock=True)


@transaction.atomic
def user_password_change(
    *, user_id: uuid.UUID, session_id: uuid.UUID | None, current_password: str, new_password: str
) -> None:
    """Change the password of a signed-in member; revokes every other session. Locks the user row.

    400 ``invalid_credentials`` (param ``current_password``) for a wrong current password,
    400 ``weak_password`` for a weak new one or the same one again.
    """
    user = User.objects.select_for_update().get(pk=user_id)
    if not user.check_password(current_password):
        raise InvalidRequest(
            "The current password is incorrect.", code="invalid_credentials", param="current_password"
        )
    if new_password == current_password:
        raise InvalidRequest(
            "The new password must differ from the current one.", code="weak_password", param="new_password"
        )
    _validate_new_password(new_password, user=user, param="new_password")
    user.set_password(new_password)
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "password_changed_at"])
    _sessions_revoke_all(
        user_id=user.id, reason=Session.RevokeReason.PASSWORD_CHANGED, keep_session_id=session_id
    )


# -- profile -----------------------------------------------------------------------------------------


PROFILE_FIELDS = ("display_name", "avatar_url", "location", "bio")


@transaction.atomic
def profile_update(*, user_id: uuid.UUID, changes: dict[str, str]) -> Profile:
    """Apply ``changes`` (a subset of display_name, avatar_url, location, bio; already validated).

    Locks the profile row. Emits ``user.profile_updated`` (whole profile + changed field names) only
    when a value actually changed.
    """
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"not profile fields: {sorted(unknown)}")
    profile = Profile.objects.select_for_update().select_related("user").get(user_id=user_id)
    changed = [name for name in PROFILE_FIELDS if name in changes and getattr(profile, name) != changes[name]]
    if not changed:
        return profile
    for name in changed:
        setattr(profile, name, changes[name])
    profile.updated_at = timezone.now()
    profile.save(update_fields=[*changed, "updated_at"])
    _publish(
        "user.profile_updated",
        UserProfileUpdatedV1(
            user_id=str(profile.user_id),
            username=profile.user.username,
            display_name=profile.display_name,
            avatar_url=profile.avatar_url,
            location=profile.location,
            bio=profile.bio,
            changed_fields=changed,
            updated_at=profile.updated_at,
        ),
    )
    return profile


# -- two-factor authentication -----------------------------------------------------------------------


@dataclass(frozen=True)
class TotpEnrolment:
    secret: str
    otpauth_uri: str


def _locked_user(user_id: uuid.UUID) -> User:
    return User.objects.select_for_update().get(pk=user_id)


@transaction.atomic
def totp_enroll(*, user_id: uuid.UUID) -> TotpEnrolment:
    """Start TOTP enrolment: a new secret, pending until confirmed with a code. Locks the user row.

    409 ``two_factor_already_enabled`` when 2FA is on (disable it first). Enrolling again replaces a
    pending secret.
    """
    user = _locked_user(user_id)
    if user.is_two_factor_enabled:
        raise Conflict("Two-factor authentication is already on.", code="two_factor_already_enabled")
    secret = totp.new_secret()
    user.totp_pending_secret_encrypted = crypto.encrypt(
        secret.encode(), purpose=crypto.PURPOSE_TOTP_SECRET, associated_data=str(user.id).encode()
    )
    user.save(update_fields=["totp_pending_secret_encrypted"])
    return TotpEnrolment(secret=secret, otpauth_uri=totp.provisioning_uri(secret, account_name=user.username))


def _recovery_codes_replace(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = totp.new_recovery_codes()
    now = timezone.now()
    RecoveryCode.objects.bulk_create(
        [RecoveryCode(user=user, code_hash=totp.recovery_code_hash(code), created_at=now) for code in codes]
    )
    return codes


def totp_confirm(*, user_id: uuid.UUID, code: str) -> list[str]:
    """Turn 2FA on with a code from the pending secret; returns 10 fresh recovery codes (only now).

    Locks the user row. 409 ``two_factor_not_pending`` without an enrolment in progress, 400
    ``invalid_mfa_code`` for a wrong code (counts towards the lockout).
    """

    def run() -> list[str] | ApiError:
        user = _locked_user(user_id)
        _raise_if_locked(user)
        if user.is_two_factor_enabled:
            return Conflict("Two-factor authentication is already on.", code="two_factor_already_enabled")
        if not user.totp_pending_secret_encrypted:
            return Conflict("Start the enrolment first.", code="two_factor_not_pending")
        secret = _totp_secret(user, encrypted=user.totp_pending_secret_encrypted)
        step = totp.matching_step(secret, totp.normalize_code(code), after_step=0)
        if step is None:
            return _code_failure(user)
        user.totp_secret_encrypted = user.totp_pending_secret_encrypted
        user.totp_pending_secret_encrypted = ""
        user.totp_enabled_at = timezone.now()
        user.totp_last_step = step
        user.save(
            update_fields=[
                "totp_secret_encrypted",
                "totp_pending_secret_encrypted",
                "totp_enabled_at",
                "totp_last_step",
            ]
        )
        return _recovery_codes_replace(user)

    result: list[str] = _raise_after_commit(run)
    return result


def _with_second_factor(user_id: uuid.UUID, code: str, action: Callable[[User], Any]) -> Any:
    """Lock the user, require 2FA on and a valid code (consumed), then run ``action(user)``."""

    def run() -> Any:
        user = _locked_user(user_id)
        _raise_if_locked(user)
        if not user.is_two_factor_enabled:
            return Conflict("Two-factor authentication is not on.", code="two_factor_not_enabled")
        if not _second_factor_check(user, code):
            return _code_failure(user)
        login_lockout().clear(_lockout_key(user, ""))
        return action(user)

    return _raise_after_commit(run)


def totp_disable(*, user_id: uuid.UUID, code: str) -> None:
    """Turn 2FA off with a TOTP or recovery code. Locks the user row; deletes the recovery codes and
    drops the second-factor mark of every session (their next tokens carry ``amr`` pwd only)."""

    def action(user: User) -> None:
        user.totp_secret_encrypted = ""
        user.totp_pending_secret_encrypted = ""
        user.totp_enabled_at = None
        user.save(update_fields=["totp_secret_encrypted", "totp_pending_secret_encrypted", "totp_enabled_at"])
        RecoveryCode.objects.filter(user=user).delete()
        Session.objects.filter(user=user).update(mfa_at=None)

    _with_second_factor(user_id, code, action)


def recovery_codes_regenerate(*, user_id: uuid.UUID, code: str) -> list[str]:
    """Replace every recovery code (old ones stop working) after a TOTP or recovery code."""
    codes: list[str] = _with_second_factor(user_id, code, _recovery_codes_replace)
    return codes


def session_mfa_verify(*, user_id: uuid.UUID, session_id: uuid.UUID, code: str) -> IssuedTokens:
    """Step-up: check a code within a signed-in session; new tokens with ``amr`` pwd+otp and
    ``mfa_at`` now. The session keeps ``mfa_at``, so tokens refreshed later carry it too (and other
    services judge its age with ``dbay_common.jwt.require_fresh_mfa``). The refresh token rotates
    (the live one is spent, a new one issued in the same family), so the answer has the shape of a
    sign-in. Locks the user, then the session.
    """

    def action(user: User) -> IssuedTokens | ApiError:
        session = (
            Session.objects.select_for_update()
            .filter(pk=session_id, user=user, revoked_at__isnull=True)
            .first()
        )
        if session is None:
            return AuthenticationFailed("This session was signed out; sign in again.", code="session_revoked")
        now = timezone.now()
        session.mfa_at = now
        session.last_used_at = now
        session.save(update_fields=["mfa_at", "last_used_at"])
        RefreshToken.objects.filter(session=session, used_at__isnull=True).update(used_at=now)
        refresh = _refresh_token_create(session=session, now=now)
        access = _access_token(user=user, session=session, now=now)
        return IssuedTokens(
            access_token=access.access_token,
            expires_in=access.expires_in,
            refresh_token=refresh,
            session=session,
            user=User.objects.select_related("profile").get(pk=user.pk),
        )

    _ensure_signing_key()
    result: IssuedTokens = _with_second_factor(user_id, code, action)
    return result


# -- housekeeping and staff -----------------------------------------------------------------------------


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


# -- signing keys -------------------------------------------------------------------------------------


_SIGNING_KEY_LOCK_ID = 4_004_001  # pg_advisory_xact_lock id serialising key creation and rotation


def _lock_signing_keys() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_SIGNING_KEY_LOCK_ID])


@transaction.atomic
def signing_key_ensure() -> SigningKey:
    """The active signing key, creating one (active at once) when none exists: the first token ever.

    Serialised by an advisory lock, so concurrent first sign-ins create one key, not several.
    """
    _lock_signing_keys()
    now = timezone.now()
    active = (
        SigningKey.objects.filter(retired_at__isnull=True, activates_at__lte=now)
        .order_by("-activates_at", "-id")
        .first()
    )
    if active is not None:
        return active
    generated = keys.generate_signing_key()
    return SigningKey.objects.create(
        kid=generated.kid,
        public_jwk=generated.public_jwk,
        private_key_encrypted=generated.private_key_encrypted,
        created_at=now,
        activates_at=now,
    )


class RotationRefused(Exception):  # noqa: N818 - reads as the command's message
    """Retiring the previous key now could invalidate access tokens that are still valid."""


@dataclass(frozen=True)
class RotationResult:
    new_key: SigningKey
    retired: list[str]


@transaction.atomic
def signing_key_rotate(
    *, activation_delay_s: int, force: bool = False, compromised: bool = False
) -> RotationResult:
    """Create a new signing key, published now and signing after ``activation_delay_s``.

    After rotation the JWKS holds the new key and the one signing until now (the previous key), so
    tokens it signed keep verifying until they expire. The key that was previous before is retired:
    refused (:class:`RotationRefused`) while tokens it signed may still be valid (its successor has
    signed for less than ``ACCESS_TOKEN_TTL_S`` + leeway) unless ``force``. ``compromised`` retires
    every existing key at once and activates the new one immediately: all access tokens stop
    verifying and clients refresh. Serialised by an advisory lock.
    """
    _lock_signing_keys()
    now = timezone.now()
    published = list(SigningKey.objects.filter(retired_at__isnull=True).order_by("-activates_at", "-id"))
    active = next((key for key in published if key.activates_at <= now), None)
    if active is None:
        activation_delay_s = 0  # nothing signs yet: the first key is needed now
    if compromised:
        to_retire = published
        activation_delay_s = 0
    else:
        to_retire = [key for key in published if key is not active]
        in_use_until = (
            active.activates_at + timedelta(seconds=settings.ACCESS_TOKEN_TTL_S + 60) if active else now
        )
        older = [key for key in to_retire if active is not None and key.activates_at < active.activates_at]
        if older and in_use_until > now and not force:
            raise RotationRefused(
                f"the previous key {older[0].kid} may have signed tokens that are valid until "
                f"{in_use_until.isoformat(timespec='seconds')}; rotate after that, or pass --force"
            )
    for key in to_retire:
        key.retired_at = now
        key.save(update_fields=["retired_at"])
    generated = keys.generate_signing_key()
    new_key = SigningKey.objects.create(
        kid=generated.kid,
        public_jwk=generated.public_jwk,
        private_key_encrypted=generated.private_key_encrypted,
        created_at=now,
        activates_at=now + timedelta(seconds=activation_delay_s),
    )
    transaction.on_commit(keys.reset_key_cache)
    return RotationResult(new_key=new_key, retired=[key.kid for key in to_retire])
