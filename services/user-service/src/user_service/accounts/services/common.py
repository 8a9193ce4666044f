"""What the service modules share: results, lockout errors, token hashing, commit-then-raise."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, timedelta
from typing import Any

from django.contrib.auth.base_user import BaseUserManager
from django.db import transaction
from django.utils import timezone

from dbay_common.errors import ApiError, InvalidRequest
from user_service.accounts.models import Session, User
from user_service.accounts.throttling import login_lockout

# -- results and errors ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClientInfo:
    """Who is calling, as far as sessions record it."""

    ip_address: str | None
    user_agent: str


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


def _invalid_code() -> InvalidRequest:
    return InvalidRequest("The code is incorrect or was already used.", code="invalid_mfa_code", param="code")


# -- helpers -------------------------------------------------------------------------------------------


def token_hash(raw: str) -> str:
    """SHA-256 of a random token (refresh token, mfa_token): what the database stores instead."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def new_secret_token() -> str:
    """A random secret for the client (refresh token, mfa_token); only its ``token_hash`` is stored."""
    return secrets.token_urlsafe(32)


def lockout_key(user: User | None, login: str) -> str:
    """The sign-in lockout's key: the account, or the unknown name (which locks the same way)."""
    return f"user:{user.id}" if user is not None else f"unknown:{login.strip().lower()}"


def normalize_email(email: str) -> str:
    return BaseUserManager.normalize_email(email.strip())


def raise_after_commit(run: Callable[[], Any]) -> Any:
    """Run ``run`` in a transaction; if it returned an ApiError, raise it after the commit."""
    with transaction.atomic():
        outcome = run()
    if isinstance(outcome, ApiError):
        raise outcome
    return outcome


def raise_if_locked(user: User) -> None:
    """423 ``account_locked`` while the account is locked out (2FA codes count towards it too)."""
    state = login_lockout().state(lockout_key(user, ""))
    if state.is_locked:
        raise AccountLocked(locked_for_s=state.locked_for_s)


def code_failure(user: User) -> ApiError:
    """Count a wrong code towards the account's lockout; the error to answer with."""
    failure = login_lockout().record_failure(lockout_key(user, ""))
    return AccountLocked(locked_for_s=failure.locked_for_s) if failure.is_locked else _invalid_code()
