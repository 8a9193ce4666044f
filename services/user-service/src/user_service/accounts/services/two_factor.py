"""Two-factor authentication: TOTP enrolment, recovery codes, turning 2FA off, and step-up.

Wrong codes count towards the same sign-in throttle as wrong passwords, per (account, source)
(``common.code_failure``); the error is raised after the transaction commits
(``common.raise_after_commit``), so a consumed code or challenge attempt is never rolled back.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from dbay_common.errors import ApiError, AuthenticationFailed, Conflict
from user_service.accounts import crypto, totp
from user_service.accounts.models import RecoveryCode, RefreshToken, Session, User
from user_service.accounts.services.common import (
    ClientInfo,
    IssuedTokens,
    code_failure,
    raise_after_commit,
    raise_if_throttled,
    sign_in_success,
)
from user_service.accounts.services.sessions import access_token_sign, refresh_token_create
from user_service.accounts.services.signing_keys import signing_key_ensure_before_signing


@dataclass(frozen=True)
class TotpEnrolment:
    secret: str
    otpauth_uri: str


def _locked_user(user_id: uuid.UUID) -> User:
    return User.objects.select_for_update().get(pk=user_id)


def second_factor_check(user: User, code: str) -> bool:
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


def _recovery_codes_replace(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = totp.new_recovery_codes()
    now = timezone.now()
    RecoveryCode.objects.bulk_create(
        [RecoveryCode(user=user, code_hash=totp.recovery_code_hash(code), created_at=now) for code in codes]
    )
    return codes


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


def totp_confirm(*, user_id: uuid.UUID, code: str, client: ClientInfo) -> list[str]:
    """Turn 2FA on with a code from the pending secret; returns 10 fresh recovery codes (only now).

    Locks the user row. 409 ``two_factor_not_pending`` without an enrolment in progress, 400
    ``invalid_mfa_code`` for a wrong code (counts towards the sign-in throttle; 429 while it must wait).
    """

    def run() -> list[str] | ApiError:
        user = _locked_user(user_id)
        source = raise_if_throttled(user, client)
        if user.is_two_factor_enabled:
            return Conflict("Two-factor authentication is already on.", code="two_factor_already_enabled")
        if not user.totp_pending_secret_encrypted:
            return Conflict("Start the enrolment first.", code="two_factor_not_pending")
        secret = _totp_secret(user, encrypted=user.totp_pending_secret_encrypted)
        step = totp.matching_step(secret, totp.normalize_code(code), after_step=0)
        if step is None:
            return code_failure(user, source)
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

    result: list[str] = raise_after_commit(run)
    return result


def _with_second_factor(
    user_id: uuid.UUID, code: str, client: ClientInfo, action: Callable[[User], Any]
) -> Any:
    """Lock the user, require 2FA on and a valid code (consumed), then run ``action(user)``."""

    def run() -> Any:
        user = _locked_user(user_id)
        source = raise_if_throttled(user, client)
        if not user.is_two_factor_enabled:
            return Conflict("Two-factor authentication is not on.", code="two_factor_not_enabled")
        if not second_factor_check(user, code):
            return code_failure(user, source)
        sign_in_success(user, source)
        return action(user)

    return raise_after_commit(run)


def totp_disable(*, user_id: uuid.UUID, code: str, client: ClientInfo) -> None:
    """Turn 2FA off with a TOTP or recovery code. Locks the user row; deletes the recovery codes and
    drops the second-factor mark of every session (their next tokens carry ``amr`` pwd only)."""

    def action(user: User) -> None:
        user.totp_secret_encrypted = ""
        user.totp_pending_secret_encrypted = ""
        user.totp_enabled_at = None
        user.save(update_fields=["totp_secret_encrypted", "totp_pending_secret_encrypted", "totp_enabled_at"])
        RecoveryCode.objects.filter(user=user).delete()
        Session.objects.filter(user=user).update(mfa_at=None)

    _with_second_factor(user_id, code, client, action)


def recovery_codes_regenerate(*, user_id: uuid.UUID, code: str, client: ClientInfo) -> list[str]:
    """Replace every recovery code (old ones stop working) after a TOTP or recovery code."""
    codes: list[str] = _with_second_factor(user_id, code, client, _recovery_codes_replace)
    return codes


def session_mfa_verify(
    *, user_id: uuid.UUID, session_id: uuid.UUID, code: str, client: ClientInfo
) -> IssuedTokens:
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
        refresh = refresh_token_create(session=session, now=now)
        access = access_token_sign(user=user, session=session, now=now)
        return IssuedTokens(
            access_token=access.access_token,
            expires_in=access.expires_in,
            refresh_token=refresh,
            session=session,
            user=User.objects.select_related("profile").get(pk=user.pk),
        )

    signing_key_ensure_before_signing()
    result: IssuedTokens = _with_second_factor(user_id, code, client, action)
    return result
