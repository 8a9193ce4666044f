"""Flask integration: error shape, JWT decorator, request ids, OpenAPI document, health."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from dbay_common.openapi import API_CONVENTIONS
from dbay_common.swagger_ui import SWAGGER_UI_DIST
from dbay_common.testing.plugin import JwksServer, RsaKeyPair, sign_token
from tests.flask_app import PREFIX, build_app
from tests.tokens import BAD_TOKEN_MESSAGES, BAD_TOKENS


@pytest.fixture
def app(served: JwksServer) -> Iterator[Flask]:
    root = logging.getLogger()
    saved = list(root.handlers), root.level
    try:
        yield build_app(jwks_url=served.url)
    finally:
        root.handlers, _ = saved[0], root.setLevel(saved[1])


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def error_of(response: Any) -> dict[str, Any]:
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}
    return body["error"]  # type: ignore[no-any-return]


# -- errors ----------------------------------------------------------------------------------------


def test_valid_request(client: FlaskClient) -> None:
    response = client.post(f"{PREFIX}/things", json={"amount_koinu": 5})
    assert response.status_code == 201
    assert response.get_json() == {"amount_koinu": 5}


def test_malformed_json_via_webargs(client: FlaskClient) -> None:
    response = client.post(f"{PREFIX}/things", data='{"amount_koinu": ', content_type="application/json")
    assert response.status_code == 400
    assert error_of(response) == {
        "type": "invalid_request",
        "code": "invalid_json",
        "message": "Malformed request body: invalid JSON.",
    }


def test_malformed_json_via_get_json(client: FlaskClient) -> None:
    response = client.post(f"{PREFIX}/raw-json", data="{nope", content_type="application/json")
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid_json"


@pytest.mark.parametrize("path", ["/things", "/plain/things"])
def test_validation_error_names_the_field(client: FlaskClient, path: str) -> None:
    response = client.post(f"{PREFIX}{path}", json={"note": "x"})
    assert response.status_code == 400
    assert error_of(response) == {
        "type": "invalid_request",
        "code": "required",
        "message": "amount_koinu: Missing data for required field.",
        "param": "amount_koinu",
    }


def test_validation_error_invalid_value(client: FlaskClient) -> None:
    response = client.post(f"{PREFIX}/things", json={"amount_koinu": 0})
    assert response.status_code == 400
    assert error_of(response) == {
        "type": "invalid_request",
        "code": "invalid_field",
        "message": "amount_koinu: Must be greater than or equal to 1.",
        "param": "amount_koinu",
    }


def test_unknown_field_is_rejected(client: FlaskClient) -> None:
    response = client.post(f"{PREFIX}/things", json={"amount_koinu": 1, "extra": 1})
    assert response.status_code == 400
    assert error_of(response)["param"] == "extra"


def test_unknown_route(client: FlaskClient) -> None:
    response = client.get(f"{PREFIX}/nope")
    assert response.status_code == 404
    assert error_of(response) == {
        "type": "not_found",
        "code": "not_found",
        "message": f"Unrecognized request URL (GET: {PREFIX}/nope).",
    }


def test_method_not_allowed(client: FlaskClient) -> None:
    response = client.delete(f"{PREFIX}/things")
    assert response.status_code == 405
    assert sorted(response.headers["Allow"].split(", ")) == ["OPTIONS", "POST"]
    assert error_of(response) == {
        "type": "invalid_request",
        "code": "method_not_allowed",
        "message": f"Method DELETE is not allowed on {PREFIX}/things.",
    }


def test_api_error(client: FlaskClient) -> None:
    response = client.post(f"{PREFIX}/conflict")
    assert response.status_code == 409
    assert error_of(response) == {
        "type": "conflict",
        "code": "auction_closed",
        "message": "The auction is closed.",
    }


def test_unhandled_exception_is_generic_500(client: FlaskClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="dbay_common.flask"):
        response = client.get(f"{PREFIX}/boom")
    assert response.status_code == 500
    assert error_of(response) == {
        "type": "api_error",
        "code": "internal_error",
        "message": "An internal error occurred. It has been logged; please try again later.",
    }
    assert b"hunter2" not in response.data and b"Traceback" not in response.data
    [record] = [r for r in caplog.records if r.name == "dbay_common.flask"]
    assert record.exc_info is not None and "hunter2" in str(record.exc_info[1])


def test_request_ids_echoed(client: FlaskClient) -> None:
    response = client.get(
        f"{PREFIX}/health/live", headers={"X-Request-ID": "abc-123", "X-Correlation-ID": "c-9"}
    )
    assert response.headers["X-Request-ID"] == "abc-123"
    assert response.headers["X-Correlation-ID"] == "c-9"
    generated = client.get(f"{PREFIX}/health/live", headers={"X-Request-ID": "bad id <script>"})
    assert len(generated.headers["X-Request-ID"]) == 32
    assert generated.headers["X-Correlation-ID"] == generated.headers["X-Request-ID"]


def test_openapi_document(client: FlaskClient) -> None:
    response = client.get(f"{PREFIX}/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"] == "3.0.3"
    assert spec["info"] == {"title": "Flask tests", "version": "1.0.0", "description": API_CONVENTIONS}
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
    }
    assert spec["paths"][f"{PREFIX}/me"]["get"]["security"] == [{"bearerAuth": []}]
    create = spec["paths"][f"{PREFIX}/things"]["post"]
    # Each status the route answers, and no catch-all "default" (dbay_common.openapi).
    assert set(create["responses"]) == {"201", "400", "401", "413", "415", "503"}
    error_schema = spec["components"]["schemas"]["ErrorResponse"]
    assert error_schema["required"] == ["error"]
    # Cursor pagination only: flask-smorest's page-number metadata is not part of the contract.
    assert "PaginationMetadata" not in spec["components"]["schemas"]
    assert "headers" not in spec["components"]


def test_no_static_folder_route(app: Flask, client: FlaskClient) -> None:
    assert "static" not in app.view_functions
    response = client.get("/static/app.js")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


# -- Swagger UI ------------------------------------------------------------------------------------

ASSETS = f"{PREFIX}/static/swagger-ui/"


def test_swagger_ui_loads_only_files_the_service_serves(client: FlaskClient) -> None:
    response = client.get(f"{PREFIX}/docs/")

    assert response.status_code == 200
    assert response.content_type == "text/html; charset=utf-8"
    page = response.get_data(as_text=True)
    assert f'"{PREFIX}/openapi.json"' in page
    assert sorted(re.findall(r'(?:href|src)="([^"]+)"', page)) == [
        f"{ASSETS}swagger-ui-bundle.js",
        f"{ASSETS}swagger-ui-standalone-preset.js",
        f"{ASSETS}swagger-ui.css",
    ]


def test_swagger_ui_files_are_served_with_a_cache_lifetime(client: FlaskClient) -> None:
    response = client.get(f"{ASSETS}swagger-ui-bundle.js")

    assert response.status_code == 200
    assert response.mimetype in {"text/javascript", "application/javascript"}
    assert response.headers["Cache-Control"] == "public, max-age=86400"
    assert response.get_data() == (SWAGGER_UI_DIST / "swagger-ui-bundle.js").read_bytes()
    response.close()


@pytest.mark.parametrize("name", ["nothing.js", "..%2F..%2F__init__.py", "%2E%2E"])
def test_only_swagger_ui_files_are_served(client: FlaskClient, name: str) -> None:
    response = client.get(f"{ASSETS}{name}")

    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


# -- jwt_required ----------------------------------------------------------------------------------


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_valid_token(client: FlaskClient, served: JwksServer, rsa_keypair: RsaKeyPair) -> None:
    response = client.get(f"{PREFIX}/me", headers=bearer(sign_token(rsa_keypair, sub="u9", roles=["seller"])))
    assert response.status_code == 200
    assert response.get_json() == {"id": "u9", "roles": ["seller"]}
    assert served.hits == 1


def test_missing_token(client: FlaskClient, served: JwksServer) -> None:
    response = client.get(f"{PREFIX}/me")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="api"'
    assert error_of(response) == {
        "type": "authentication_error",
        "code": "not_authenticated",
        "message": "Authentication credentials were not provided.",
    }
    assert served.hits == 0


@pytest.mark.parametrize("case", sorted(BAD_TOKENS))
def test_bad_tokens(client: FlaskClient, rsa_keypair: RsaKeyPair, case: str) -> None:
    response = client.get(f"{PREFIX}/me", headers=bearer(BAD_TOKENS[case](rsa_keypair)))
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="api"'
    assert error_of(response) == {
        "type": "authentication_error",
        "code": "invalid_token",
        "message": BAD_TOKEN_MESSAGES[case],
    }


def test_roles(client: FlaskClient, rsa_keypair: RsaKeyPair) -> None:
    denied = client.get(f"{PREFIX}/admin", headers=bearer(sign_token(rsa_keypair, roles=["buyer"])))
    assert denied.status_code == 403
    assert error_of(denied) == {
        "type": "permission_error",
        "code": "missing_role",
        "message": "This action requires the role(s): admin.",
    }
    allowed = client.get(f"{PREFIX}/admin", headers=bearer(sign_token(rsa_keypair, roles=["admin"])))
    assert allowed.status_code == 200


def test_jwks_down_is_503(served: JwksServer, rsa_keypair: RsaKeyPair) -> None:
    app = build_app(jwks_url="http://127.0.0.1:1/jwks.json")
    response = app.test_client().get(f"{PREFIX}/me", headers=bearer(sign_token(rsa_keypair)))
    assert response.status_code == 503
    assert error_of(response)["code"] == "jwks_unavailable"


def test_koinu_field() -> None:
    import marshmallow as ma

    from dbay_common.flask import KoinuField
    from dbay_common.flask.errors import marshmallow_error_body
    from dbay_common.money import Koinu

    class Price(ma.Schema):
        price_koinu = KoinuField(required=True)

    loaded = Price().load({"price_koinu": "150000000"})
    assert loaded == {"price_koinu": 150_000_000} and type(loaded["price_koinu"]) is Koinu
    assert Price().dump({"price_koinu": Koinu(5)}) == {"price_koinu": "5"}
    for bad in ("1.5", 1.5, True, "-1"):
        with pytest.raises(ma.ValidationError) as raised:
            Price().load({"price_koinu": bad})
        error = marshmallow_error_body(raised.value.messages)["error"]
        assert (error["param"], error["code"]) == ("price_koinu", "invalid_field")
