"""The "fresh second factor" check: require_fresh_mfa, its DRF permission and its Flask decorator."""

from __future__ import annotations

import time
from typing import Any

import pytest
from flask import Flask, g, jsonify
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from dbay_common.drf import JwtAuthentication, fresh_mfa_required
from dbay_common.errors import PermissionDenied
from dbay_common.flask import fresh_mfa_required as flask_fresh_mfa_required
from dbay_common.flask import register_error_handlers
from dbay_common.flask.auth import VERIFIER_EXTENSION
from dbay_common.jwt import MFA_REQUIRED_CODE, JwtVerifier, require_fresh_mfa
from dbay_common.testing.plugin import JwksServer, RsaKeyPair, sign_token

NOW = 1_800_000_000


# -- require_fresh_mfa -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "claims",
    [
        {"amr": ["pwd", "otp"], "mfa_at": NOW},
        {"amr": ["pwd", "otp"], "mfa_at": NOW - 300},
        {"amr": ["otp"], "mfa_at": NOW - 10},
        {"amr": ["pwd", "otp"], "mfa_at": NOW + 20},  # clock skew within the leeway
    ],
)
def test_fresh_second_factor_passes(claims: dict[str, Any]) -> None:
    require_fresh_mfa(claims, max_age_s=300, now=NOW)


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        ({}, "This action needs two-factor verification"),
        ({"amr": ["pwd"]}, "This action needs two-factor verification"),
        ({"amr": ["pwd"], "mfa_at": NOW}, "This action needs two-factor verification"),
        ({"amr": "otp", "mfa_at": NOW}, "This action needs two-factor verification"),
        ({"amr": ["pwd", "otp"]}, "This action needs two-factor verification"),
        ({"amr": ["pwd", "otp"], "mfa_at": "1800000000"}, "This action needs two-factor verification"),
        ({"amr": ["pwd", "otp"], "mfa_at": True}, "This action needs two-factor verification"),
        ({"amr": ["pwd", "otp"], "mfa_at": NOW - 301}, "from the last 5 minute(s)"),
        ({"amr": ["pwd", "otp"], "mfa_at": NOW + 3600}, "from the last 5 minute(s)"),
    ],
)
def test_missing_or_stale_second_factor_is_403_mfa_required(claims: dict[str, Any], message: str) -> None:
    with pytest.raises(PermissionDenied) as raised:
        require_fresh_mfa(claims, max_age_s=300, now=NOW)

    error = raised.value
    assert (error.status, error.type, error.code) == (403, "permission_error", MFA_REQUIRED_CODE)
    assert message in error.message


def test_max_age_is_configurable() -> None:
    claims = {"amr": ["pwd", "otp"], "mfa_at": NOW - 100}
    require_fresh_mfa(claims, max_age_s=120, now=NOW)
    with pytest.raises(PermissionDenied):
        require_fresh_mfa(claims, max_age_s=60, now=NOW)


# -- DRF ---------------------------------------------------------------------------------------------


class WithdrawView(APIView):
    authentication_classes = [JwtAuthentication]
    permission_classes = [IsAuthenticated, fresh_mfa_required(120)]

    def post(self, request: Request) -> Response:
        return Response({"user": request.user.id})


def drf_call(token: str | None) -> Response:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    request = APIRequestFactory().post("/withdraw", {}, format="json", **headers)
    response: Response = WithdrawView.as_view()(request)
    return response


@pytest.mark.django_db
def test_drf_permission_admits_a_fresh_second_factor(django_jwt: JwksServer, rsa_keypair: RsaKeyPair) -> None:
    token = sign_token(rsa_keypair, amr=["pwd", "otp"], mfa_at=int(time.time()) - 60)

    response = drf_call(token)

    assert response.status_code == 200
    assert response.data == {"user": "user-1"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "claims",
    [{"amr": ["pwd"]}, {"amr": ["pwd", "otp"], "mfa_at": int(time.time()) - 121}],
    ids=["password-only", "stale"],
)
def test_drf_permission_refuses_without_a_fresh_second_factor(
    django_jwt: JwksServer, rsa_keypair: RsaKeyPair, claims: dict[str, Any]
) -> None:
    response = drf_call(sign_token(rsa_keypair, **claims))

    assert response.status_code == 403
    assert response.data["error"]["type"] == "permission_error"
    assert response.data["error"]["code"] == "mfa_required"


@pytest.mark.django_db
def test_drf_permission_anonymous_is_401(django_jwt: JwksServer) -> None:
    response = drf_call(None)

    assert response.status_code == 401
    assert response.data["error"]["code"] == "not_authenticated"


# -- Flask -------------------------------------------------------------------------------------------


def flask_app(rsa_keypair: RsaKeyPair) -> Flask:
    app = Flask(__name__)
    register_error_handlers(app)
    app.extensions[VERIFIER_EXTENSION] = JwtVerifier(
        issuer="dbay-user-service", audience="dbay-api", jwks={"keys": [rsa_keypair.jwk]}
    )

    @app.post("/withdraw")
    @flask_fresh_mfa_required(max_age_s=120)
    def withdraw() -> Any:
        return jsonify({"user": g.user_id, "amr": g.claims["amr"]})

    return app


def test_flask_decorator_admits_a_fresh_second_factor(rsa_keypair: RsaKeyPair) -> None:
    token = sign_token(rsa_keypair, amr=["pwd", "otp"], mfa_at=int(time.time()))

    response = (
        flask_app(rsa_keypair).test_client().post("/withdraw", headers={"Authorization": f"Bearer {token}"})
    )

    assert response.status_code == 200
    assert response.get_json() == {"user": "user-1", "amr": ["pwd", "otp"]}


@pytest.mark.parametrize(
    "claims",
    [{"amr": ["pwd"]}, {"amr": ["pwd", "otp"], "mfa_at": int(time.time()) - 121}],
    ids=["password-only", "stale"],
)
def test_flask_decorator_refuses_without_a_fresh_second_factor(
    rsa_keypair: RsaKeyPair, claims: dict[str, Any]
) -> None:
    token = sign_token(rsa_keypair, **claims)

    response = (
        flask_app(rsa_keypair).test_client().post("/withdraw", headers={"Authorization": f"Bearer {token}"})
    )

    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "mfa_required"


def test_flask_decorator_without_a_token_is_401(rsa_keypair: RsaKeyPair) -> None:
    response = flask_app(rsa_keypair).test_client().post("/withdraw")

    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "not_authenticated"


def test_flask_decorator_with_a_forged_token_is_401(rsa_keypair: RsaKeyPair) -> None:
    token = sign_token(rsa_keypair, amr=["pwd", "otp"], mfa_at=int(time.time()), aud="another-api")

    response = (
        flask_app(rsa_keypair).test_client().post("/withdraw", headers={"Authorization": f"Bearer {token}"})
    )

    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "invalid_token"
