"""Signing in: the password step, and the 2FA step when the account has a second factor."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from dbay_common.errors import ApiError, AuthenticationFailed, PermissionDenied
from user_service.accounts.models import LoginChallenge, User
from user_service.accounts.services.common import (
    ClientInfo,
    IssuedTokens,
    MfaChallengeIssued,
    account_suspended,
    code_failure,
    new_secret_token,
    raise_after_commit,
    raise_if_throttled,
    sign_in_failure,
    sign_in_success,
    throttle_account,
    throttle_source,
    token_hash,
)
from user_service.accounts.services.sessions import session_start
from user_service.accounts.services.signing_keys import signing_key_ensure_before_signing
from user_service.accounts.services.two_factor import second_factor_check
from user_service.accounts.sign_in_throttle import sign_in_throttle

# The hash checked when the account does not exist, so "no such user" takes as long as "wrong password".
_DUMMY_PASSWORD = "dbay-timing-equaliser-not-a-password"


def _invalid_credentials() -> AuthenticationFailed:
    return AuthenticationFailed("The email/username or password is incorrect.", code="invalid_credentials")


def _user_by_login(login: str) -> User | None:
    login = login.strip()
    field = "email" if "@" in login else "username"
    return User.objects.annotate(key=Lower(field)).filter(key=login.lower()).select_related("profile").first()


def user_login(*, login: str, password: str, client: ClientInfo) -> IssuedTokens | MfaChallengeIssued:
    """Check ``login`` (email or username) and ``password``; start a session or a 2FA challenge.

    Failures answer 401 ``invalid_credentials`` whether or not the account exists (a dummy hash is
    checked for unknown accounts so timing says nothing either) and count towards the sign-in
    throttle of (account, source) (``sign_in_throttle.py``; unknown names are throttled the same
    way): past the free failures each attempt must wait longer, 429 ``rate_limited`` with
    Retry-After, and no password is checked while it must wait. The owner's own device or network
    is not slowed by failures elsewhere. Signing in with an unverified email is allowed
    (``email_verified`` false); a suspended member, once the password is right, is refused (403
    ``account_suspended``). Writes: the session and its first refresh token, or a
    ``LoginChallenge``.
    """
    user = _user_by_login(login)
    account = throttle_account(user, login)
    source = throttle_source(user, client)
    sign_in_throttle().check(account=account, source=source)
    if user is None:
        User(password="").set_password(_DUMMY_PASSWORD)  # same work as a real check
        is_valid = False
    else:
        is_valid = user.check_password(password)  # also upgrades an outdated hash
    if not is_valid or user is None:
        sign_in_failure(user, source, login=login)
        raise _invalid_credentials()
    if not user.is_active:
        raise PermissionDenied("This account is disabled.", code="account_disabled")
    if user.is_suspended:
        raise account_suspended()
    if user.is_two_factor_enabled:
        # The failures are cleared only once the code is right too: otherwise knowing the password
        # would reset the count of wrong codes at will. The slot reserved for this attempt is freed.
        sign_in_throttle().release(account=account, source=source)
    else:
        sign_in_success(user, source)
    signing_key_ensure_before_signing()
    now = timezone.now()
    with transaction.atomic():
        if user.is_two_factor_enabled:
            raw = new_secret_token()
            LoginChallenge.objects.create(
                user=user,
                token_hash=token_hash(raw),
                created_at=now,
                expires_at=now + timedelta(seconds=settings.MFA_CHALLENGE_TTL_S),
                auth_time=now,
            )
            return MfaChallengeIssued(mfa_token=raw, expires_in=settings.MFA_CHALLENGE_TTL_S)
        return session_start(user=user, client=client, auth_time=now, mfa_at=None)


def user_login_mfa(*, mfa_token: str, code: str, client: ClientInfo) -> IssuedTokens:
    """Second step of a 2FA sign-in: a TOTP or recovery code for the challenge of ``mfa_token``.

    Locks the challenge, then the user row. The challenge is single-use and dies after
    ``MFA_CHALLENGE_MAX_ATTEMPTS`` wrong codes (401 ``invalid_token``; sign in again); a wrong code
    is 400 ``invalid_mfa_code`` and counts towards the sign-in throttle of (account, source). On
    success the session starts with ``amr`` pwd+otp and ``mfa_at`` now.
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
        source = raise_if_throttled(user, client)
        if user.is_suspended:
            challenge.consumed_at = now
            challenge.save(update_fields=["consumed_at"])
            return account_suspended()
        if not user.is_active or not user.is_two_factor_enabled:
            challenge.consumed_at = now
            challenge.save(update_fields=["consumed_at"])
            return AuthenticationFailed(
                "This sign-in step is no longer valid; sign in again.", code="invalid_token"
            )
        if not second_factor_check(user, code):
            challenge.failed_attempts += 1
            if challenge.failed_attempts >= settings.MFA_CHALLENGE_MAX_ATTEMPTS:
                challenge.consumed_at = now
            challenge.save(update_fields=["failed_attempts", "consumed_at"])
            return code_failure(user, source)
        challenge.consumed_at = now
        challenge.save(update_fields=["consumed_at"])
        sign_in_success(user, source)
        return session_start(user=user, client=client, auth_time=challenge.auth_time, mfa_at=now)

    signing_key_ensure_before_signing()
    result: IssuedTokens = raise_after_commit(run)
    return result
