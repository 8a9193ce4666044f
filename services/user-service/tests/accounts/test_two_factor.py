"""TOTP second factor: enrol, confirm, two-step sign-in, recovery codes, disable, step-up."""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest

from dbay_common.jwt import require_fresh_mfa
from user_service.accounts import keys
from user_service.accounts.models import LoginChallenge, RecoveryCode, Session, User

pytestmark = pytest.mark.django_db

ENROLL = "/api/v1/user/me/2fa/enroll"
CONFIRM = "/api/v1/user/me/2fa/confirm"
DISABLE = "/api/v1/user/me/2fa/disable"
RECOVERY = "/api/v1/user/me/2fa/recovery-codes"
VERIFY = "/api/v1/user/me/2fa/verify"
LOGIN = "/api/v1/user/auth/login"
LOGIN_2FA = "/api/v1/user/auth/login/2fa"
PASSWORD = "Vivid-Otter-Harbor-42"


@pytest.fixture
def enrolled(api, make_user, sign_in, totp_code) -> Any:
    """A member with 2FA on: (signed-in session, secret, recovery codes)."""
    user = make_user()
    signed_in = sign_in(user)
    secret = api.post(ENROLL, **signed_in.auth).json()["secret"]
    codes = api.post(CONFIRM, {"code": totp_code(user, secret)}, **signed_in.auth).json()["recovery_codes"]
    return signed_in, secret, codes


def login_challenge(api, user: User) -> str:
    response = api.post(LOGIN, {"login": user.username, "password": PASSWORD})
    assert response.status_code == 200
    return response.json()["mfa_token"]


def test_enroll_returns_a_secret_and_an_otpauth_uri(api, make_user, sign_in):
    user = make_user()
    signed_in = sign_in(user)

    response = api.post(ENROLL, **signed_in.auth)

    assert response.status_code == 200
    body = response.json()
    assert re.fullmatch(r"[A-Z2-7]{32}", body["secret"])
    uri = urlsplit(body["otpauth_uri"])
    assert (uri.scheme, uri.netloc, uri.path) == ("otpauth", "totp", f"/dBay:{user.username}")
    assert parse_qs(uri.query) == {"secret": [body["secret"]], "issuer": ["dBay"]}
    user.refresh_from_db()
    assert user.totp_enabled_at is None
    assert user.totp_pending_secret_encrypted.startswith("v1.")
    assert body["secret"] not in user.totp_pending_secret_encrypted
    assert response["Cache-Control"] == "no-store"


def test_confirm_turns_2fa_on_and_returns_ten_recovery_codes(api, make_user, sign_in, totp_code):
    user = make_user()
    signed_in = sign_in(user)
    secret = api.post(ENROLL, **signed_in.auth).json()["secret"]

    response = api.post(CONFIRM, {"code": totp_code(user, secret)}, **signed_in.auth)

    assert response.status_code == 200
    codes = response.json()["recovery_codes"]
    assert len(codes) == len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z2-9]{5}-[a-z2-9]{5}", code) for code in codes)
    user.refresh_from_db()
    assert user.totp_enabled_at is not None
    assert user.totp_pending_secret_encrypted == ""
    stored = set(RecoveryCode.objects.filter(user=user).values_list("code_hash", flat=True))
    assert len(stored) == 10
    assert not stored & {code.replace("-", "") for code in codes}
    assert api.get("/api/v1/user/me", **signed_in.auth).json()["user"]["two_factor_enabled"] is True


def test_confirm_with_a_wrong_code_changes_nothing(api, make_user, sign_in, wrong_code):
    user = make_user()
    signed_in = sign_in(user)
    secret = api.post(ENROLL, **signed_in.auth).json()["secret"]

    response = api.post(CONFIRM, {"code": wrong_code(secret)}, **signed_in.auth)

    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "type": "invalid_request",
            "code": "invalid_mfa_code",
            "message": "The code is incorrect or was already used.",
            "param": "code",
        }
    }
    user.refresh_from_db()
    assert (user.totp_enabled_at, user.totp_secret_encrypted) == (None, "")
    assert RecoveryCode.objects.count() == 0


def test_confirm_without_enrolment_and_enroll_when_on_are_409(api, make_user, sign_in, enrolled):
    fresh = sign_in(make_user())
    not_pending = api.post(CONFIRM, {"code": "123456"}, **fresh.auth)
    signed_in, _secret, _codes = enrolled

    already = api.post(ENROLL, **signed_in.auth)

    assert (not_pending.status_code, not_pending.json()["error"]["code"]) == (409, "two_factor_not_pending")
    assert (already.status_code, already.json()["error"]["code"]) == (409, "two_factor_already_enabled")


def test_sign_in_with_2fa_takes_two_steps(api, enrolled, totp_code):
    signed_in, secret, _codes = enrolled
    user = signed_in.user

    first = api.post(LOGIN, {"login": user.email, "password": PASSWORD})

    assert first.status_code == 200
    body = first.json()
    assert set(body) == {"mfa_required", "mfa_token", "expires_in"}
    assert (body["mfa_required"], body["expires_in"]) == (True, 300)
    assert "dbay_refresh" not in first.cookies
    assert Session.objects.filter(user=user).count() == 1  # only the enrolment session

    second = api.post(LOGIN_2FA, {"mfa_token": body["mfa_token"], "code": totp_code(user, secret)})

    assert second.status_code == 200
    tokens = second.json()
    claims = keys.current_keyset().verifier.verify(tokens["access_token"])
    assert claims["amr"] == ["pwd", "otp"]
    assert abs(claims["mfa_at"] - time.time()) < 5
    require_fresh_mfa(claims)  # what wallet-service will ask
    assert second.cookies["dbay_refresh"].value == tokens["refresh_token"]
    assert Session.objects.filter(user=user).count() == 2
    # The challenge is single-use.
    replay = api.post(LOGIN_2FA, {"mfa_token": body["mfa_token"], "code": "000000"})
    assert (replay.status_code, replay.json()["error"]["code"]) == (401, "invalid_token")


def test_a_totp_code_is_accepted_once(api, enrolled, totp_code):
    signed_in, secret, _codes = enrolled
    user = signed_in.user
    code = totp_code(user, secret)
    assert api.post(LOGIN_2FA, {"mfa_token": login_challenge(api, user), "code": code}).status_code == 200

    replayed = api.post(LOGIN_2FA, {"mfa_token": login_challenge(api, user), "code": code})

    assert (replayed.status_code, replayed.json()["error"]["code"]) == (400, "invalid_mfa_code")


def test_recovery_codes_sign_in_once_each(api, enrolled):
    signed_in, _secret, codes = enrolled
    user = signed_in.user

    with_code = api.post(LOGIN_2FA, {"mfa_token": login_challenge(api, user), "code": codes[0].upper()})
    reused = api.post(LOGIN_2FA, {"mfa_token": login_challenge(api, user), "code": codes[0]})

    assert with_code.status_code == 200
    claims = keys.current_keyset().verifier.verify(with_code.json()["access_token"])
    assert claims["amr"] == ["pwd", "otp"]
    assert (reused.status_code, reused.json()["error"]["code"]) == (400, "invalid_mfa_code")
    assert RecoveryCode.objects.filter(user=user, used_at__isnull=False).count() == 1


def test_five_wrong_codes_kill_the_challenge_and_slow_this_source_down(api, enrolled, wrong_code, totp_code):
    signed_in, secret, _codes = enrolled
    user = signed_in.user
    mfa_token = login_challenge(api, user)

    statuses = [
        api.post(LOGIN_2FA, {"mfa_token": mfa_token, "code": wrong_code(secret)}).status_code
        for _ in range(5)
    ]
    after = api.post(LOGIN_2FA, {"mfa_token": mfa_token, "code": totp_code(user, secret)})

    assert statuses == [400, 400, 400, 400, 400]
    assert (after.status_code, after.json()["error"]["code"]) == (401, "invalid_token")
    challenge = LoginChallenge.objects.get(user=user)
    assert (challenge.failed_attempts, challenge.consumed_at is not None) == (5, True)
    slowed = api.post(LOGIN, {"login": user.username, "password": PASSWORD})
    assert (slowed.status_code, slowed.json()["error"]["code"], slowed["Retry-After"]) == (
        429,
        "rate_limited",
        "2",
    )
    assert Session.objects.filter(user=user).count() == 1


def test_expired_challenge(api, enrolled, totp_code):
    signed_in, secret, _codes = enrolled
    mfa_token = login_challenge(api, signed_in.user)
    LoginChallenge.objects.update(expires_at=LoginChallenge.objects.get().created_at)

    response = api.post(LOGIN_2FA, {"mfa_token": mfa_token, "code": totp_code(signed_in.user, secret)})

    assert (response.status_code, response.json()["error"]["code"]) == (401, "token_expired")


def test_step_up_gives_fresh_tokens_and_refreshes_keep_it(api, enrolled, totp_code):
    signed_in, secret, _codes = enrolled
    before = signed_in.claims
    assert before["amr"] == ["pwd"]

    response = api.post(VERIFY, {"code": totp_code(signed_in.user, secret)}, **signed_in.auth)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "refresh_token", "user"}
    assert body["user"]["two_factor_enabled"] is True
    assert response.cookies["dbay_refresh"].value == body["refresh_token"]
    claims = keys.current_keyset().verifier.verify(body["access_token"])
    assert claims["sid"] == before["sid"]
    assert claims["amr"] == ["pwd", "otp"]
    assert abs(claims["mfa_at"] - time.time()) < 5
    refreshed = api.post("/api/v1/user/auth/refresh", {"refresh_token": body["refresh_token"]}).json()
    refreshed_claims = keys.current_keyset().verifier.verify(refreshed["access_token"])
    assert (refreshed_claims["amr"], refreshed_claims["mfa_at"]) == (["pwd", "otp"], claims["mfa_at"])
    # The refresh token held before the step-up was spent by it: presenting it now is reuse.
    stale = api.post("/api/v1/user/auth/refresh", {"refresh_token": signed_in.refresh_token})
    assert (stale.status_code, stale.json()["error"]["code"]) == (401, "refresh_token_reused")


def test_step_up_with_a_wrong_code_issues_nothing(api, enrolled, wrong_code):
    signed_in, secret, _codes = enrolled

    response = api.post(VERIFY, {"code": wrong_code(secret)}, **signed_in.auth)

    assert (response.status_code, response.json()["error"]["code"]) == (400, "invalid_mfa_code")
    assert Session.objects.get(pk=signed_in.claims["sid"]).mfa_at is None


def test_step_up_without_2fa_is_409(api, make_user, sign_in):
    signed_in = sign_in(make_user())

    response = api.post(VERIFY, {"code": "123456"}, **signed_in.auth)

    assert (response.status_code, response.json()["error"]["code"]) == (409, "two_factor_not_enabled")


def test_regenerating_recovery_codes_replaces_them(api, enrolled, totp_code):
    signed_in, secret, old_codes = enrolled

    response = api.post(RECOVERY, {"code": totp_code(signed_in.user, secret)}, **signed_in.auth)

    assert response.status_code == 200
    new_codes = response.json()["recovery_codes"]
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    old = api.post(LOGIN_2FA, {"mfa_token": login_challenge(api, signed_in.user), "code": old_codes[1]})
    assert old.status_code == 400
    new = api.post(LOGIN_2FA, {"mfa_token": login_challenge(api, signed_in.user), "code": new_codes[1]})
    assert new.status_code == 200


def test_disable_with_a_code_turns_2fa_off(api, enrolled, wrong_code):
    signed_in, secret, codes = enrolled
    user = signed_in.user

    refused = api.post(DISABLE, {"code": wrong_code(secret)}, **signed_in.auth)
    assert refused.status_code == 400
    assert User.objects.get(pk=user.pk).totp_enabled_at is not None

    response = api.post(DISABLE, {"code": codes[2]}, **signed_in.auth)

    assert response.status_code == 204
    user.refresh_from_db()
    assert (user.totp_enabled_at, user.totp_secret_encrypted) == (None, "")
    assert RecoveryCode.objects.filter(user=user).count() == 0
    plain = api.post(LOGIN, {"login": user.username, "password": PASSWORD})
    assert set(plain.json()) == {"access_token", "token_type", "expires_in", "refresh_token", "user"}


@pytest.fixture
def four_codes_per_minute(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "mfa-account": "4/m"}


def test_2fa_endpoints_are_rate_limited_per_account(api, four_codes_per_minute, enrolled, wrong_code):
    signed_in, secret, _codes = enrolled  # enrolling used 2 of the 4

    statuses = [
        api.post(
            VERIFY, {"code": wrong_code(secret)}, HTTP_X_FORWARDED_FOR=f"198.51.100.{i}", **signed_in.auth
        ).status_code
        for i in range(3)
    ]

    assert statuses == [400, 400, 429]


def test_totp_matches_what_authenticator_apps_compute(api, make_user, sign_in):
    user = make_user()
    signed_in = sign_in(user)
    uri = api.post(ENROLL, **signed_in.auth).json()["otpauth_uri"]

    app = pyotp.parse_uri(uri)  # what an authenticator app does with the QR code

    assert (app.digits, app.interval, app.issuer, app.name) == (6, 30, "dBay", user.username)
    assert api.post(CONFIRM, {"code": app.now()}, **signed_in.auth).status_code == 200


def test_the_right_password_does_not_reset_the_count_of_wrong_codes(api, enrolled, wrong_code):
    signed_in, secret, _codes = enrolled
    user = signed_in.user

    statuses = []
    for _ in range(5):
        # A new challenge each time: the password is right, only the code is wrong.
        response = api.post(LOGIN_2FA, {"mfa_token": login_challenge(api, user), "code": wrong_code(secret)})
        statuses.append(response.status_code)
    slowed = api.post(LOGIN, {"login": user.username, "password": PASSWORD})

    assert statuses == [400, 400, 400, 400, 400]
    assert (slowed.status_code, slowed["Retry-After"]) == (429, "2")


def test_secrets_are_never_stored_for_idempotent_replay(api, make_user, sign_in, totp_code):
    from dbay_common.django.idempotency.models import IdempotencyRecord

    user = make_user()
    signed_in = sign_in(user)

    secret = api.post(ENROLL, HTTP_IDEMPOTENCY_KEY="k1", **signed_in.auth).json()["secret"]
    confirm = api.post(
        CONFIRM, {"code": totp_code(user, secret)}, HTTP_IDEMPOTENCY_KEY="k2", **signed_in.auth
    )
    login = api.post(LOGIN, {"login": user.username, "password": PASSWORD}, HTTP_IDEMPOTENCY_KEY="k3")

    assert (confirm.status_code, login.status_code) == (200, 200)
    assert IdempotencyRecord.objects.count() == 0
