"""What the service modules share: results, sign-in throttling helpers, token hashing, commit-then-raise."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import BaseUserManager
from django.db import transaction

from dbay_common.django.celery import enqueue_on_commit
from dbay_common.errors import ApiError, InvalidRequest, PermissionDenied
from user_service.accounts import throttling
from user_service.accounts.known_devices import KnownDevice
from user_service.accounts.models import Session, User
from user_service.accounts.sign_in_throttle import Source, sign_in_throttle

# -- results and errors ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClientInfo:
    """Who is calling, as far as sessions record it."""

    ip_address: str | None
    user_agent: str
    known_device: KnownDevice | None = None


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


def _invalid_code() -> InvalidRequest:
    return InvalidRequest("The code is incorrect or was already used.", code="invalid_mfa_code", param="code")


# -- helpers -------------------------------------------------------------------------------------------


def token_hash(raw: str) -> str:
    """SHA-256 of a random token (refresh token, mfa_token): what the database stores instead."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def new_secret_token() -> str:
    """A random secret for the client (refresh token, mfa_token); only its ``token_hash`` is stored."""
    return secrets.token_urlsafe(32)


def throttle_account(user: User | None, login: str = "") -> str:
    """The sign-in throttle's account key: the account in its current password generation (a new
    password starts the count afresh), or the unknown name (throttled the same way)."""
    if user is None:
        return f"unknown:{login.strip().lower()}"
    return f"user:{user.id}:{user.password_changed_at.isoformat()}"


def throttle_source(user: User | None, client: ClientInfo) -> Source:
    device = client.known_device
    return sign_in_throttle().source(
        user_id=str(user.id) if user is not None else None,
        ip_address=client.ip_address,
        device_user_ids=device.user_ids if device is not None else frozenset(),
        device_id=device.device_id if device is not None else None,
    )


def normalize_email(email: str) -> str:
    return BaseUserManager.normalize_email(email.strip())


def raise_after_commit(run: Callable[[], Any]) -> Any:
    """Run ``run`` in a transaction; if it returned an ApiError, raise it after the commit."""
    with transaction.atomic():
        outcome = run()
    if isinstance(outcome, ApiError):
        raise outcome
    return outcome


def raise_if_throttled(user: User, client: ClientInfo) -> Source:
    """429 while this client must wait before trying a code or password on ``user`` again; the source
    to record the outcome against."""
    source = throttle_source(user, client)
    sign_in_throttle().check(account=throttle_account(user), source=source)
    return source


def sign_in_failure(user: User | None, source: Source, *, login: str = "") -> None:
    """Count a wrong password or code; when it starts slowing a source the account has not seen,
    queue the owner's alert mail (at most once per ``SIGN_IN_ALERT_INTERVAL_S``)."""
    outcome = sign_in_throttle().record_failure(account=throttle_account(user, login), source=source)
    if user is None or source.is_known or not outcome.is_slowed:
        return
    if throttling.notice_once(f"sign-in-throttled:{user.id}", ttl_s=settings.SIGN_IN_ALERT_INTERVAL_S):
        # Imported when used: tasks.py imports this package.
        from user_service.accounts.tasks import send_sign_in_throttled_email_task

        enqueue_on_commit(send_sign_in_throttled_email_task, str(user.id), source.ip_address or "")


def sign_in_success(user: User, source: Source) -> None:
    """Clear this source's failures on the account and remember its IP as seen."""
    sign_in_throttle().record_success(account=throttle_account(user), source=source, user_id=str(user.id))


def code_failure(user: User, source: Source) -> ApiError:
    """Count a wrong code towards the throttle; the error to answer with."""
    sign_in_failure(user, source)
    return _invalid_code()


SUSPENDED_MESSAGE = (
    "Your account is suspended, so you cannot sign in. Contact support if you think this is a mistake."
)


def account_suspended() -> PermissionDenied:
    """The plain-words 403 a suspended member gets when signing in or renewing a session."""
    return PermissionDenied(SUSPENDED_MESSAGE, code="account_suspended")
