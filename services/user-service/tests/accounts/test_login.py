"""POST auth/login: tokens and their claims, the refresh cookie, wrong credentials, slow-downs, limits
(the sign-in throttle in depth: test_sign_in_throttle.py)."""

from __future__ import annotations

import re
import time
import uuid

import jwt as pyjwt
import pytest

from user_service.accounts import keys, links, services
from user_service.accounts.models import RefreshToken, Session, User

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/user/auth/login"
PASSWORD = "Vivid-Otter-Harbor-42"
INVALID_CREDENTIALS = {
    "error": {
        "type": "authentication_error",
        "code": "invalid_credentials",
        "message": "The email/username or password is incorrect.",
    }
}


@pytest.mark.parametrize("login_as", ["username", "USERNAME", "email", "EMAIL"])
def test_login_with_email_or_username_in_any_case(api, make_user, login_as):
    user = make_user()
    login = {"username": user.username, "email": user.email}[login_as.lower()]
    login = login.upper() if login_as.isupper() else login

    response = api.post(LOGIN, {"login": login, "password": PASSWORD}, HTTP_USER_AGENT="Firefox/140")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "refresh_token", "user"}
    assert (body["token_type"], body["expires_in"]) == ("Bearer", 900)
    assert body["user"]["id"] == str(user.id)
    assert body["user"]["email_verified"] is False  # unverified accounts may sign in
    assert response["Cache-Control"] == "no-store"
    session = Session.objects.get(user=user)
    assert (session.user_agent, session.ip_address, session.revoked_at) == ("Firefox/140", "127.0.0.1", None)
    token = RefreshToken.objects.get(session=session)
    assert token.token_hash == services.token_hash(body["refresh_token"])
    assert body["refresh_token"] not in token.token_hash


def test_access_token_claims_and_header(api, make_user):
    user = make_user()
    before = int(time.time())

    body = api.post(LOGIN, {"login": user.username, "password": PASSWORD}).json()

    token = body["access_token"]
    header = pyjwt.get_unverified_header(token)
    keyset = keys.current_keyset()
    assert header == {"alg": "RS256", "kid": keyset.signing_kid, "typ": "JWT"}
    claims = keyset.verifier.verify(token)
    session = Session.objects.get(user=user)
    assert set(claims) == {
        "iss",
        "aud",
        "sub",
        "roles",
        "sid",
        "amr",
        "auth_time",
        "email_verified",
        "iat",
        "nbf",
        "exp",
        "jti",
    }
    assert claims["iss"] == "dbay-user-service"
    assert claims["aud"] == "dbay-api"
    assert claims["sub"] == str(user.id)
    assert claims["roles"] == ["buyer", "seller"]
    assert claims["sid"] == str(session.id)
    assert claims["amr"] == ["pwd"]
    assert claims["email_verified"] is False
    assert before <= claims["iat"] <= int(time.time())
    assert claims["nbf"] == claims["iat"]
    assert claims["auth_time"] == claims["iat"]
    assert claims["exp"] - claims["iat"] == 900
    assert re.fullmatch(r"[0-9a-f]{32}", claims["jti"])
    assert "mfa_at" not in claims


def test_staff_get_the_staff_role_and_verified_users_say_so(api, make_user):
    user = make_user()
    User.objects.filter(pk=user.pk).update(is_staff=True)
    services.user_email_verify(token=links.email_verification_token(user))

    body = api.post(LOGIN, {"login": user.username, "password": PASSWORD}).json()

    claims = keys.current_keyset().verifier.verify(body["access_token"])
    assert claims["roles"] == ["buyer", "seller", "staff"]
    assert claims["email_verified"] is True
    assert body["user"]["roles"] == ["buyer", "seller", "staff"]


def test_login_sets_the_refresh_cookie(api, make_user, settings):
    user = make_user()

    response = api.post(LOGIN, {"login": user.username, "password": PASSWORD})

    cookie = response.cookies["dbay_refresh"]
    assert cookie.value == response.json()["refresh_token"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Strict"
    assert cookie["path"] == "/api/v1/user/auth/"
    assert cookie["max-age"] == 14 * 24 * 3600
    assert cookie["secure"] == ""  # development; REFRESH_COOKIE_SECURE is on elsewhere


def test_refresh_cookie_is_secure_outside_development(api, make_user, settings):
    settings.REFRESH_COOKIE_SECURE = True
    user = make_user()

    response = api.post(LOGIN, {"login": user.username, "password": PASSWORD})

    assert response.cookies["dbay_refresh"]["secure"] is True


def test_wrong_password_and_unknown_account_answer_the_same(api, make_user, unique):
    user = make_user()

    wrong_password = api.post(LOGIN, {"login": user.username, "password": "Not-The-Password-99"})
    unknown = api.post(LOGIN, {"login": unique("ghost"), "password": PASSWORD})

    for response in (wrong_password, unknown):
        assert response.status_code == 401
        assert response.json() == INVALID_CREDENTIALS
        assert response["WWW-Authenticate"] == 'Bearer realm="api"'
        assert "dbay_refresh" not in response.cookies
    assert Session.objects.count() == 0


def test_five_failures_slow_this_source_down_instead_of_locking_the_account(api, make_user):
    user = make_user()

    statuses = [
        api.post(LOGIN, {"login": user.username, "password": f"Wrong-Pass-{index}9"}).status_code
        for index in range(5)
    ]
    slowed = api.post(LOGIN, {"login": user.email, "password": PASSWORD})

    assert statuses == [401, 401, 401, 401, 401]
    assert slowed.status_code == 429
    assert slowed.json()["error"] == {
        "type": "rate_limit_error",
        "code": "rate_limited",
        "message": "Too many failed sign-in attempts. Please wait 2 seconds and try again, or reset your "
        "password if you have forgotten it.",
    }
    assert slowed["Retry-After"] == "2"
    assert Session.objects.count() == 0


def test_unknown_accounts_are_slowed_the_same_way(api, unique):
    name = unique("ghost")

    statuses = [
        api.post(LOGIN, {"login": name, "password": f"Wrong-Pass-{i}9"}).status_code for i in range(6)
    ]

    assert statuses == [401, 401, 401, 401, 401, 429]


def test_a_success_clears_the_failure_count(api, make_user):
    user = make_user()
    for index in range(4):
        api.post(LOGIN, {"login": user.username, "password": f"Wrong-Pass-{index}9"})

    assert api.post(LOGIN, {"login": user.username, "password": PASSWORD}).status_code == 200
    statuses = [
        api.post(LOGIN, {"login": user.username, "password": f"Wrong-Pass-{index}9"}).status_code
        for index in range(4)
    ]

    assert statuses == [401, 401, 401, 401]


def test_password_reset_lifts_the_slow_down(api, make_user):
    user = make_user()
    for index in range(5):
        api.post(LOGIN, {"login": user.username, "password": f"Wrong-Pass-{index}9"})
    token = links.password_reset_token(User.objects.get(pk=user.pk))

    assert (
        api.post(
            "/api/v1/user/auth/password/reset", {"token": token, "new_password": "Fresh-Lantern-Meadow-7"}
        ).status_code
        == 204
    )
    response = api.post(LOGIN, {"login": user.username, "password": "Fresh-Lantern-Meadow-7"})

    assert response.status_code == 200


def test_login_is_rate_limited_per_ip_with_retry_after(api, make_user, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login-ip": "3/m"}
    users = [make_user() for _ in range(4)]

    responses = [
        api.post(LOGIN, {"login": user.username, "password": PASSWORD}, HTTP_X_FORWARDED_FOR="192.0.2.9")
        for user in users
    ]

    assert [response.status_code for response in responses] == [200, 200, 200, 429]
    assert responses[3].json()["error"] == {
        "type": "rate_limit_error",
        "code": "rate_limited",
        "message": "Too many sign-in attempts; try again later.",
    }
    assert 15 <= int(responses[3]["Retry-After"]) <= 20  # one of 3 per minute frees up every 20 s
    assert Session.objects.count() == 3


def test_forwarded_for_is_ignored_from_untrusted_peers(api, make_user, settings):
    settings.TRUSTED_PROXY_CIDRS = []  # the test client's 127.0.0.1 is not a trusted gateway now
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login-ip": "2/m"}
    user = make_user()

    statuses = [
        api.post(
            LOGIN, {"login": user.username, "password": PASSWORD}, HTTP_X_FORWARDED_FOR=f"192.0.2.{i}"
        ).status_code
        for i in range(3)
    ]

    assert statuses == [200, 200, 429]  # spoofed addresses did not buy fresh buckets


def test_disabled_account_cannot_sign_in(api, make_user):
    user = make_user()
    User.objects.filter(pk=user.pk).update(is_active=False)

    response = api.post(LOGIN, {"login": user.username, "password": PASSWORD})

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "account_disabled"
    assert Session.objects.count() == 0


def test_missing_fields_are_400(api):
    response = api.post(LOGIN, {"login": "someone"})

    assert response.status_code == 400
    assert response.json()["error"]["param"] == "password"


def test_the_first_sign_in_creates_one_signing_key(api, make_user):
    from user_service.accounts.models import SigningKey

    user = make_user()
    assert SigningKey.objects.count() == 0

    api.post(LOGIN, {"login": user.username, "password": PASSWORD})
    api.post(LOGIN, {"login": user.username, "password": PASSWORD})

    key = SigningKey.objects.get()
    assert key.retired_at is None
    assert key.private_key_encrypted.startswith("v1.")
    assert "PRIVATE KEY" not in key.private_key_encrypted
    assert uuid.UUID(str(Session.objects.first().id))
