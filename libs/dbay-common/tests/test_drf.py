"""DRF integration: the exception handler's error shape and JwtAuthentication end to end."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.test import Client

from dbay_common.drf.authentication import TokenUser
from dbay_common.testing.plugin import JwksServer, RsaKeyPair, sign_token
from tests.tokens import BAD_TOKEN_MESSAGES, BAD_TOKENS

pytestmark = pytest.mark.django_db


def body(response: Any) -> Any:
    assert response["Content-Type"] == "application/json"
    return response.json()


# -- exception handler -------------------------------------------------------------------------------


def test_malformed_json_is_400(client: Client) -> None:
    response = client.post("/api/echo", data='{"amount_koinu": ', content_type="application/json")
    assert response.status_code == 400
    error = body(response)["error"]
    assert error["type"] == "invalid_request"
    assert error["code"] == "invalid_json"
    assert error["message"] == "The request body is not valid JSON."
    assert "param" not in error


def test_validation_error_names_the_field(client: Client) -> None:
    response = client.post("/api/echo", data={"note": "hi"}, content_type="application/json")
    assert response.status_code == 400
    assert body(response) == {
        "error": {
            "type": "invalid_request",
            "code": "required",
            "message": "amount_koinu: This field is required.",
            "param": "amount_koinu",
        }
    }


def test_validation_error_invalid_value(client: Client) -> None:
    response = client.post("/api/echo", data={"amount_koinu": "lots"}, content_type="application/json")
    assert response.status_code == 400
    assert body(response) == {
        "error": {
            "type": "invalid_request",
            "code": "invalid_field",
            "message": "amount_koinu: A valid integer is required.",
            "param": "amount_koinu",
        }
    }


def test_validation_error_keeps_specific_codes(client: Client) -> None:
    response = client.post("/api/echo", data={"amount_koinu": 0}, content_type="application/json")
    assert body(response)["error"]["code"] == "min_value"


def test_valid_request_passes(client: Client) -> None:
    response = client.post("/api/echo", data={"amount_koinu": 5}, content_type="application/json")
    assert response.status_code == 201
    assert body(response) == {"amount_koinu": 5}


def test_unsupported_media_type(client: Client) -> None:
    response = client.post(
        "/api/echo", data="amount_koinu=5", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415
    assert body(response)["error"]["type"] == "invalid_request"
    assert body(response)["error"]["code"] == "unsupported_media_type"


def test_api_error_rendered(client: Client) -> None:
    response = client.post("/api/conflict")
    assert response.status_code == 409
    assert body(response) == {
        "error": {"type": "conflict", "code": "auction_closed", "message": "The auction is closed."}
    }


def test_method_not_allowed(client: Client) -> None:
    response = client.delete("/api/echo")
    assert response.status_code == 405
    assert body(response) == {
        "error": {
            "type": "invalid_request",
            "code": "method_not_allowed",
            "message": 'Method "DELETE" not allowed.',
        }
    }


def test_http404_in_view(client: Client) -> None:
    response = client.get("/api/missing")
    assert response.status_code == 404
    assert body(response) == {
        "error": {
            "type": "not_found",
            "code": "not_found",
            "message": "The requested resource does not exist.",
        }
    }


def test_unknown_route_uses_handler404(client: Client) -> None:
    response = client.get("/api/nope")
    assert response.status_code == 404
    assert body(response) == {
        "error": {
            "type": "not_found",
            "code": "not_found",
            "message": "Unrecognized request URL (GET: /api/nope).",
        }
    }


def test_throttled_sets_retry_after(client: Client) -> None:
    response = client.get("/api/throttled")
    assert response.status_code == 429
    assert response["Retry-After"] == "13"
    assert body(response)["error"]["type"] == "rate_limit_error"
    assert body(response)["error"]["code"] == "rate_limited"


def test_unhandled_exception_is_generic_500(client: Client, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="dbay_common.drf"):
        response = client.get("/api/boom")
    assert response.status_code == 500
    assert body(response) == {
        "error": {
            "type": "api_error",
            "code": "internal_error",
            "message": "An internal error occurred. It has been logged; please try again later.",
        }
    }
    assert b"hunter2" not in response.content and b"Traceback" not in response.content
    # ...but it is logged with its traceback for operators.
    [record] = [r for r in caplog.records if r.name == "dbay_common.drf"]
    assert record.exc_info is not None and "hunter2" in str(record.exc_info[1])


def test_plain_django_view_exception_uses_handler500() -> None:
    client = Client(raise_request_exception=False)
    response = client.get("/plain/boom")
    assert response.status_code == 500
    assert body(response)["error"]["code"] == "internal_error"
    assert b"secret internals" not in response.content


def test_handler400_and_403() -> None:
    from django.test import RequestFactory

    from dbay_common.django.views import handler400, handler403

    request = RequestFactory().get("/")
    assert handler400(request).status_code == 400
    assert handler403(request).status_code == 403


# -- JwtAuthentication ---------------------------------------------------------------------------


def auth(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_valid_token_authenticates(client: Client, django_jwt: JwksServer, rsa_keypair: RsaKeyPair) -> None:
    token = sign_token(rsa_keypair, sub="user-7", roles=["buyer"])
    response = client.get("/api/whoami", **auth(token))  # type: ignore[arg-type]
    assert response.status_code == 200
    assert body(response) == {"id": "user-7", "roles": ["buyer"]}
    assert django_jwt.hits == 1


def test_missing_token_is_401_on_protected_view(client: Client, django_jwt: JwksServer) -> None:
    response = client.get("/api/whoami")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert body(response) == {
        "error": {
            "type": "authentication_error",
            "code": "not_authenticated",
            "message": "Authentication credentials were not provided.",
        }
    }
    assert django_jwt.hits == 0


@pytest.mark.parametrize("case", sorted(BAD_TOKENS))
def test_bad_tokens_are_401(
    client: Client, django_jwt: JwksServer, rsa_keypair: RsaKeyPair, case: str
) -> None:
    response = client.get("/api/whoami", **auth(BAD_TOKENS[case](rsa_keypair)))  # type: ignore[arg-type]
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert body(response) == {
        "error": {
            "type": "authentication_error",
            "code": "invalid_token",
            "message": BAD_TOKEN_MESSAGES[case],
        }
    }


def test_bad_token_rejected_even_on_public_view(
    client: Client, django_jwt: JwksServer, rsa_keypair: RsaKeyPair
) -> None:
    response = client.post(
        "/api/echo",
        data={"amount_koinu": 5},
        content_type="application/json",
        **auth(BAD_TOKENS["expired"](rsa_keypair)),  # type: ignore[arg-type]
    )
    assert response.status_code == 401


def test_other_schemes_are_anonymous(client: Client, django_jwt: JwksServer) -> None:
    response = client.get("/api/whoami", HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz")
    assert response.status_code == 401
    assert body(response)["error"]["code"] == "not_authenticated"


def test_roles_required(client: Client, django_jwt: JwksServer, rsa_keypair: RsaKeyPair) -> None:
    buyer = client.get("/api/admin", **auth(sign_token(rsa_keypair, roles=["buyer"])))  # type: ignore[arg-type]
    assert buyer.status_code == 403
    assert body(buyer) == {
        "error": {
            "type": "permission_error",
            "code": "permission_denied",
            "message": "This action requires the role(s): admin.",
        }
    }
    admin = client.get("/api/admin", **auth(sign_token(rsa_keypair, roles=["admin", "buyer"])))  # type: ignore[arg-type]
    assert admin.status_code == 200
    anonymous = client.get("/api/admin")
    assert anonymous.status_code == 401


def test_jwks_down_is_503(client: Client, settings: Any, served: JwksServer, rsa_keypair: RsaKeyPair) -> None:
    settings.JWT_JWKS_URL = "http://127.0.0.1:1/jwks.json"
    response = client.get("/api/whoami", **auth(sign_token(rsa_keypair)))  # type: ignore[arg-type]
    assert response.status_code == 503
    assert body(response)["error"]["code"] == "jwks_unavailable"


def test_token_user() -> None:
    user = TokenUser({"sub": "u1", "roles": ["a", 3, "b"]})
    assert (user.id, user.pk, user.roles, str(user)) == ("u1", "u1", ("a", "b"), "u1")
    assert user.is_authenticated is True and user.is_anonymous is False
    assert user.has_role("a") and not user.has_role("c")
    assert TokenUser({"sub": "u1", "roles": "admin"}).roles == ()
    assert user == TokenUser({"sub": "u1"})


def test_openapi_security_scheme(django_jwt: JwksServer) -> None:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert schema["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
    }
    items = schema["paths"]["/api/items"]["get"]
    assert [p["name"] for p in items["parameters"]] == ["ending_before", "limit", "starting_after"]
    reference = items["responses"]["200"]["content"]["application/json"]["schema"]
    assert reference == {"$ref": "#/components/schemas/PaginatedItemList"}
    envelope = schema["components"]["schemas"]["PaginatedItemList"]
    assert envelope["required"] == ["data", "has_more"]
    assert envelope["properties"]["data"] == {"type": "array", "items": {"$ref": "#/components/schemas/Item"}}
    assert envelope["properties"]["has_more"]["type"] == "boolean"


# -- KoinuField --------------------------------------------------------------------------------------


def test_koinu_field() -> None:
    from rest_framework import serializers

    from dbay_common.drf import KoinuField
    from dbay_common.drf.exceptions import validation_error_body
    from dbay_common.money import Koinu

    class BidInput(serializers.Serializer[Any]):
        max_amount_koinu = KoinuField()

    valid = BidInput(data={"max_amount_koinu": "150000000"})
    assert valid.is_valid()
    assert valid.validated_data == {"max_amount_koinu": 150_000_000}
    assert type(valid.validated_data["max_amount_koinu"]) is Koinu
    assert BidInput({"max_amount_koinu": Koinu(7)}).data == {"max_amount_koinu": "7"}

    for bad in ("1.5", 1.5, True, "-3", "", None):
        serializer = BidInput(data={"max_amount_koinu": bad})
        assert not serializer.is_valid()
        error = validation_error_body(serializer.errors)["error"]
        assert error["param"] == "max_amount_koinu"
        assert error["code"] in {"invalid_amount", "null"}
