"""Refresh-token rotation and reuse detection, sign-out, the JWKS and signing-key rotation, and the
token attack list against user-service's own endpoints."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import time
from datetime import timedelta
from typing import Any

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.management import CommandError, call_command
from django.utils import timezone

from dbay_common.errors import AuthenticationFailed
from dbay_common.jwt import JwtVerifier
from user_service.accounts import keys, services
from user_service.accounts.models import RefreshToken, Session, SigningKey

pytestmark = pytest.mark.django_db

REFRESH = "/api/v1/user/auth/refresh"
LOGOUT = "/api/v1/user/auth/logout"
ME = "/api/v1/user/me"
JWKS = "/api/v1/user/.well-known/jwks.json"


def error_code(response: Any) -> str:
    return response.json()["error"]["code"]


# -- refresh ----------------------------------------------------------------------------------------------


def test_refresh_rotates_the_token_in_the_same_family(api, make_user, sign_in):
    signed_in = sign_in(make_user())

    response = api.post(REFRESH, {"refresh_token": signed_in.refresh_token}, HTTP_USER_AGENT="Safari/18")

    assert response.status_code == 200
    body = response.json()
    assert body["refresh_token"] != signed_in.refresh_token
    assert response.cookies["dbay_refresh"].value == body["refresh_token"]
    assert response["Cache-Control"] == "no-store"
    claims = keys.current_keyset().verifier.verify(body["access_token"])
    assert claims["sid"] == signed_in.claims["sid"]
    assert claims["auth_time"] == signed_in.claims["auth_time"]
    session = Session.objects.get()
    assert session.user_agent == "Safari/18"
    tokens = list(RefreshToken.objects.filter(session=session).order_by("id"))
    assert [token.used_at is not None for token in tokens] == [True, False]


def test_refresh_reads_the_cookie_when_the_body_has_no_token(api, make_user, sign_in):
    sign_in(make_user())  # the API client keeps the dbay_refresh cookie

    first = api.post(REFRESH, {})
    second = api.post(REFRESH, {})

    assert (first.status_code, second.status_code) == (200, 200)
    assert first.json()["refresh_token"] != second.json()["refresh_token"]


def test_reusing_a_spent_refresh_token_revokes_the_whole_family(api, make_user, sign_in):
    signed_in = sign_in(make_user())
    rotated = api.post(REFRESH, {"refresh_token": signed_in.refresh_token}).json()

    reused = api.post(REFRESH, {"refresh_token": signed_in.refresh_token})

    assert reused.status_code == 401
    assert reused.json()["error"] == {
        "type": "authentication_error",
        "code": "refresh_token_reused",
        "message": "This refresh token was already used, so the session has been signed out everywhere "
        "for safety; sign in again.",
    }
    assert reused.cookies["dbay_refresh"].value == ""  # cleared
    session = Session.objects.get()
    assert (session.revoke_reason, session.revoked_at is not None) == ("refresh_token_reused", True)
    # The newest token of the family is dead too, and the access tokens stop working here.
    newest = api.post(REFRESH, {"refresh_token": rotated["refresh_token"]})
    assert (newest.status_code, error_code(newest)) == (401, "session_revoked")
    me = api.get(ME, HTTP_AUTHORIZATION=f"Bearer {rotated['access_token']}")
    assert (me.status_code, error_code(me)) == (401, "session_revoked")


def test_reuse_leaves_other_sessions_alone(api, make_user, sign_in):
    user = make_user()
    phone = sign_in(user, user_agent="phone")
    laptop = sign_in(user, user_agent="laptop")
    api.post(REFRESH, {"refresh_token": phone.refresh_token})

    api.post(REFRESH, {"refresh_token": phone.refresh_token})

    sessions = api.get("/api/v1/user/me/sessions", **laptop.auth).json()["data"]
    assert [(session["user_agent"], session["current"]) for session in sessions] == [("laptop", True)]


def test_expired_refresh_token_is_session_expired(api, make_user, sign_in):
    signed_in = sign_in(make_user())
    RefreshToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = api.post(REFRESH, {"refresh_token": signed_in.refresh_token})

    assert (response.status_code, error_code(response)) == (401, "session_expired")
    assert RefreshToken.objects.get().used_at is None


def test_expired_session_is_session_expired(api, make_user, sign_in):
    signed_in = sign_in(make_user())
    Session.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = api.post(REFRESH, {"refresh_token": signed_in.refresh_token})

    assert (response.status_code, error_code(response)) == (401, "session_expired")


def test_unknown_or_missing_refresh_token_is_invalid_token(api):
    unknown = api.post(REFRESH, {"refresh_token": "made-up"})
    missing = api.post(REFRESH, {})

    assert (unknown.status_code, error_code(unknown)) == (401, "invalid_token")
    assert (missing.status_code, error_code(missing)) == (401, "invalid_token")
    assert missing.json()["error"]["message"] == "No refresh token was sent; sign in again."


def test_concurrent_use_of_one_refresh_token_succeeds_once(make_user, sign_in):
    signed_in = sign_in(make_user())
    client = services.ClientInfo(ip_address=None, user_agent="")

    services.session_refresh(refresh_token=signed_in.refresh_token, client=client)
    with pytest.raises(AuthenticationFailed) as raised:
        services.session_refresh(refresh_token=signed_in.refresh_token, client=client)

    assert raised.value.code == "refresh_token_reused"


# -- sign-out ------------------------------------------------------------------------------------------------


def test_logout_revokes_the_family_and_clears_the_cookie(api, make_user, sign_in):
    signed_in = sign_in(make_user())

    response = api.post(LOGOUT, {"refresh_token": signed_in.refresh_token})

    assert response.status_code == 204
    cookie = response.cookies["dbay_refresh"]
    assert (cookie.value, cookie["path"], cookie["max-age"]) == ("", "/api/v1/user/auth/", 0)
    session = Session.objects.get()
    assert session.revoke_reason == "signed_out"
    after = api.post(REFRESH, {"refresh_token": signed_in.refresh_token})
    assert (after.status_code, error_code(after)) == (401, "session_revoked")
    me = api.get(ME, **signed_in.auth)
    assert (me.status_code, error_code(me)) == (401, "session_revoked")


def test_logout_with_the_cookie_only(api, make_user, sign_in):
    sign_in(make_user())

    assert api.post(LOGOUT, {}).status_code == 204

    assert Session.objects.get().revoke_reason == "signed_out"


def test_logout_with_the_access_token_only(api, make_user, sign_in):
    signed_in = sign_in(make_user())
    api.cookies.clear()

    assert api.post(LOGOUT, {}, **signed_in.auth).status_code == 204

    assert Session.objects.get().revoke_reason == "signed_out"


def test_logout_without_anything_is_still_204(api):
    response = api.post(LOGOUT, {}, HTTP_AUTHORIZATION="Bearer not-a-token")

    assert response.status_code == 204


# -- JWKS and key rotation ------------------------------------------------------------------------------


def test_jwks_publishes_the_signing_key_and_is_cacheable(api, make_user, sign_in):
    signed_in = sign_in(make_user())

    response = api.get(JWKS, HTTP_AUTHORIZATION="Bearer garbage")  # public: a bad token is ignored

    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=300"
    (jwk,) = response.json()["keys"]
    assert jwk["kid"] == pyjwt.get_unverified_header(signed_in.access_token)["kid"]
    assert (jwk["kty"], jwk["use"], jwk["alg"], jwk["e"]) == ("RSA", "sig", "RS256", "AQAB")
    assert not {"d", "p", "q", "dp", "dq", "qi"} & set(jwk)
    # Another service, knowing only the JWKS, verifies the token.
    verifier = JwtVerifier(issuer="dbay-user-service", audience="dbay-api", jwks=response.json())
    assert verifier.verify(signed_in.access_token)["sub"] == str(signed_in.user.id)


def test_rotation_keeps_tokens_of_the_previous_key_valid_and_drops_retired_keys(api, make_user, sign_in):
    user = make_user()
    old = sign_in(user)
    old_kid = pyjwt.get_unverified_header(old.access_token)["kid"]

    call_command("rotate_signing_key", "--activate-in", "0")
    keys.reset_key_cache()
    new = sign_in(user)
    new_kid = pyjwt.get_unverified_header(new.access_token)["kid"]

    assert new_kid != old_kid
    assert [key["kid"] for key in api.get(JWKS).json()["keys"]] == [new_kid, old_kid]
    assert api.get(ME, **old.auth).status_code == 200  # signed by the previous key: still fine
    assert api.get(ME, **new.auth).status_code == 200

    # Too soon to retire the previous key: tokens it signed may still be valid.
    with pytest.raises(CommandError, match="may have signed tokens that are valid until"):
        call_command("rotate_signing_key", "--activate-in", "0")
    call_command("rotate_signing_key", "--activate-in", "0", "--force")
    keys.reset_key_cache()

    published = [key["kid"] for key in api.get(JWKS).json()["keys"]]
    assert old_kid not in published and new_kid in published and len(published) == 2
    retired = api.get(ME, **old.auth)
    assert retired.status_code == 401
    assert retired.json()["error"] == {
        "type": "authentication_error",
        "code": "invalid_token",
        "message": "token signed with an unknown key",
    }
    assert api.get(ME, **new.auth).status_code == 200
    assert SigningKey.objects.get(kid=old_kid).retired_at is not None


def test_a_new_key_is_published_before_it_signs(api, make_user, sign_in):
    user = make_user()
    first = sign_in(user)
    first_kid = pyjwt.get_unverified_header(first.access_token)["kid"]

    result = services.signing_key_rotate(activation_delay_s=60)
    keys.reset_key_cache()
    second = sign_in(user)

    assert [key["kid"] for key in api.get(JWKS).json()["keys"]] == [result.new_key.kid, first_kid]
    assert pyjwt.get_unverified_header(second.access_token)["kid"] == first_kid


def test_previous_key_can_be_retired_once_its_tokens_expired(make_user, sign_in):
    sign_in(make_user())
    services.signing_key_rotate(activation_delay_s=0)
    SigningKey.objects.filter(retired_at__isnull=True).update(
        activates_at=timezone.now() - timedelta(minutes=20)
    )

    result = services.signing_key_rotate(activation_delay_s=0)

    assert len(result.retired) == 1


def test_compromised_rotation_retires_every_key_at_once(api, make_user, sign_in):
    signed_in = sign_in(make_user())

    call_command("rotate_signing_key", "--compromised")
    keys.reset_key_cache()

    assert api.get(ME, **signed_in.auth).status_code == 401
    refreshed = api.post(REFRESH, {"refresh_token": signed_in.refresh_token}).json()
    assert api.get(ME, HTTP_AUTHORIZATION=f"Bearer {refreshed['access_token']}").status_code == 200
    assert SigningKey.objects.filter(retired_at__isnull=True).count() == 1


def test_private_keys_are_encrypted_with_the_configured_secret(make_user, sign_in, settings):
    sign_in(make_user())
    key = SigningKey.objects.get()

    settings.USER_SERVICE_SIGNING_KEYS = ["another-secret"]
    with pytest.raises(Exception, match="no configured secret decrypts"):
        keys.load_private_key(key)
    settings.USER_SERVICE_SIGNING_KEYS = ["another-secret", settings.SECRET_KEY]
    assert isinstance(keys.load_private_key(key), rsa.RSAPrivateKey)


# -- the token attack list ---------------------------------------------------------------------------------


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def segment(document: dict[str, Any]) -> str:
    return b64(json.dumps(document, separators=(",", ":")).encode())


@functools.cache
def other_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def forged_tokens(valid: str, kid: str, private_pem: bytes, public_pem: bytes) -> dict[str, str]:
    claims = pyjwt.decode(valid, options={"verify_signature": False})
    now = int(time.time())
    other = other_key()

    def sign(key: Any = private_pem, header_kid: str = kid, **changes: Any) -> str:
        payload = {**claims, **changes}
        return pyjwt.encode(payload, key, algorithm="RS256", headers={"kid": header_kid})

    header, _payload, signature = valid.split(".")
    staff_roles = ["buyer", "seller", "staff"]
    hs_input = f"{segment({'alg': 'HS256', 'typ': 'JWT', 'kid': kid})}.{segment(claims)}"
    hs_signature = b64(hmac.new(public_pem, hs_input.encode(), hashlib.sha256).digest())
    return {
        "alg_none": f"{segment({'alg': 'none', 'typ': 'JWT', 'kid': kid})}.{segment(claims)}.",
        "hs256_with_public_key": f"{hs_input}.{hs_signature}",
        "expired": sign(iat=now - 3600, nbf=now - 3600, exp=now - 120),
        "not_yet_valid": sign(nbf=now + 600),
        "wrong_audience": sign(aud="dbay-internal"),
        "wrong_issuer": sign(iss="evil"),
        "tampered_payload": f"{header}.{segment({**claims, 'roles': staff_roles})}.{signature}",
        "unknown_kid": sign(key=other, header_kid="kid-nobody-knows"),
        "forged_with_our_kid": sign(key=other),
        "garbage": "not.a.jwt",
    }


ATTACK_MESSAGES = {
    "alg_none": "token algorithm must be RS256",
    "hs256_with_public_key": "token algorithm must be RS256",
    "expired": "token has expired",
    "not_yet_valid": "token is not yet valid",
    "wrong_audience": "token audience is not accepted",
    "wrong_issuer": "token issuer is not accepted",
    "tampered_payload": "token signature is invalid",
    "unknown_kid": "token signed with an unknown key",
    "forged_with_our_kid": "token signature is invalid",
    "garbage": "token is malformed",
}


ATTACKED_ENDPOINTS = [
    ("get", ME, None),
    ("patch", "/api/v1/user/me/profile", {"display_name": "Mallory"}),
    ("post", "/api/v1/user/me/2fa/verify", {"code": "123456"}),
    ("post", "/api/v1/user/me/password", {"current_password": "x", "new_password": "Fresh-Lantern-Meadow-7"}),
    ("get", "/api/v1/user/me/sessions", None),
]


@pytest.mark.parametrize("attack", sorted(ATTACK_MESSAGES))
def test_forged_and_broken_tokens_are_401_on_every_account_endpoint(api, make_user, sign_in, attack):
    signed_in = sign_in(make_user())
    keyset = keys.current_keyset()
    assert keyset.signing_key is not None
    private_pem = keyset.signing_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public_pem = keyset.signing_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    token = forged_tokens(signed_in.access_token, str(keyset.signing_kid), private_pem, public_pem)[attack]

    for method, path, body in ATTACKED_ENDPOINTS:
        response = getattr(api, method)(path, body, HTTP_AUTHORIZATION=f"Bearer {token}")

        assert response.status_code == 401, path
        assert response.json() == {
            "error": {
                "type": "authentication_error",
                "code": "invalid_token",
                "message": ATTACK_MESSAGES[attack],
            }
        }
        assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    signed_in.user.profile.refresh_from_db()
    assert signed_in.user.profile.display_name == ""
    # The genuine token still works: the attacks were refused for what they are, not by accident.
    assert api.get(ME, **signed_in.auth).status_code == 200


def test_no_token_is_401_not_authenticated(api):
    response = api.get(ME)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
