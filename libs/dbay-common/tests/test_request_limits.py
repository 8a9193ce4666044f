"""Hostile and oversized bodies, store outages and security headers, the same in Django and Flask."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from flask.testing import FlaskClient

from dbay_common.errors import InvalidRequest
from dbay_common.request_body import (
    MAX_JSON_DEPTH,
    body_fingerprint,
    json_depth_exceeds,
    parse_json_body,
)
from dbay_common.testing.plugin import JwksServer
from tests.django_views import EXECUTIONS
from tests.flask_app import build_app

DEEP = ("[" * 50_000 + "]" * 50_000).encode()
TOO_DEEP_ERROR = {
    "type": "invalid_request",
    "code": "json_too_deep",
    "message": f"The request body is nested more than {MAX_JSON_DEPTH} levels deep.",
}


def nested(depth: int) -> bytes:
    return ("[" * depth + "]" * depth).encode()


# -- the pure functions -------------------------------------------------------------------------------


def test_depth_scan_counts_brackets_outside_strings_only() -> None:
    assert json_depth_exceeds(nested(MAX_JSON_DEPTH)) is False
    assert json_depth_exceeds(nested(MAX_JSON_DEPTH + 1)) is True
    assert json_depth_exceeds(json.dumps({"note": "[" * 500}).encode()) is False
    assert json_depth_exceeds(b'{"a": "\\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}') is False


def test_parse_json_body_never_raises_anything_but_a_400() -> None:
    for raw in (DEEP, b'{"a": ', b"\xff\xfe", b"NaN-ish"):
        with pytest.raises(InvalidRequest) as caught:
            parse_json_body(raw)
        assert caught.value.status == 400
    assert parse_json_body(b'{"a": [1, {"b": null}]}') == {"a": [1, {"b": None}]}


def test_the_same_json_reformatted_has_the_same_fingerprint() -> None:
    compact = b'{"amount_koinu":"150000000","address":"nX"}'
    spaced = b'{ "address": "nX",\n  "amount_koinu": "150000000" }'
    other = b'{"address":"nX","amount_koinu":"150000001"}'

    assert body_fingerprint(compact, "application/json") == body_fingerprint(spaced, "application/json")
    assert body_fingerprint(compact, "application/json") != body_fingerprint(other, "application/json")
    # Not JSON: compared byte for byte.
    assert body_fingerprint(b"a=1&b=2", "application/x-www-form-urlencoded") != body_fingerprint(
        b"b=2&a=1", "application/x-www-form-urlencoded"
    )


# -- Django -------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/echo", "/api/things"])
def test_django_refuses_deep_json_with_400(client: Client, url: str) -> None:
    response = client.post(url, data=DEEP, content_type="application/json", HTTP_IDEMPOTENCY_KEY="deep-1")

    assert response.status_code == 400
    assert response.json() == {"error": TOO_DEEP_ERROR}


@pytest.mark.django_db
def test_django_refuses_a_body_over_the_limit_with_413(client: Client, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"note": "x" * 2000})

    response = client.post("/api/echo", data=body, content_type="application/json")

    assert response.status_code == 413
    assert response.json() == {
        "error": {
            "type": "invalid_request",
            "code": "request_too_large",
            "message": "The request body is larger than the limit of 1000 bytes.",
        }
    }


@pytest.mark.django_db
def test_django_same_key_with_reformatted_json_replays(client: Client) -> None:
    before = EXECUTIONS.count
    first = client.post(
        "/api/things",
        data='{"n": 1, "status": 201}',
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k-fmt",
    )
    again = client.post(
        "/api/things",
        data='{ "status":201,\n "n":1 }',
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k-fmt",
    )

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert EXECUTIONS.count == before + 1


@pytest.fixture
def database_down(closed_port: int) -> Iterator[None]:
    """Point the default connection at a closed port (PostgreSQL "down"), then restore it."""
    original = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = str(closed_port)
    yield
    connection.close()
    connection.settings_dict["PORT"] = original


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("url", ["/api/item-count", "/plain/item-count"], ids=["drf", "plain-django"])
def test_django_answers_503_with_retry_after_while_postgres_is_down(url: str, database_down: None) -> None:
    # As in production: the handler's answer, not the exception re-raised into the test.
    response = Client(raise_request_exception=False).get(url)

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json() == {
        "error": {
            "type": "api_error",
            "code": "service_unavailable",
            "message": "The service is temporarily unavailable; try again in a few seconds.",
        }
    }


@pytest.mark.django_db
def test_django_sends_the_shared_security_headers(client: Client) -> None:
    response = client.get("/api/echo")

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


# -- Flask --------------------------------------------------------------------------------------------


@pytest.fixture
def flask_client(served: JwksServer) -> FlaskClient:
    return build_app(jwks_url=served.url).test_client()


@pytest.mark.parametrize("path", ["/api/v1/test/things", "/api/v1/test/raw-json"])
def test_flask_refuses_deep_json_with_400(flask_client: FlaskClient, path: str) -> None:
    response = flask_client.post(path, data=DEEP, content_type="application/json")

    assert response.status_code == 400
    assert response.get_json() == {"error": TOO_DEEP_ERROR}


def test_flask_refuses_a_body_over_the_limit_with_413(flask_client: FlaskClient) -> None:
    flask_client.application.config["MAX_CONTENT_LENGTH"] = 1000
    body = json.dumps({"amount_koinu": 5, "note": "x" * 2000})

    response = flask_client.post("/api/v1/test/things", data=body, content_type="application/json")

    assert response.status_code == 413
    error = response.get_json()["error"]
    assert (error["type"], error["code"]) == ("invalid_request", "request_too_large")


def test_flask_sends_the_same_security_headers_as_django(flask_client: FlaskClient) -> None:
    response = flask_client.get("/api/v1/test/")

    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


def test_flask_answers_503_when_the_mongodb_wire_store_is_unreachable(
    flask_client: FlaskClient, closed_port: int
) -> None:
    from flask import Flask
    from pymongo import MongoClient

    app: Flask = flask_client.application

    @app.get("/store-read")
    def store_read() -> dict[str, Any]:
        mongo: MongoClient[dict[str, Any]] = MongoClient(
            f"mongodb://127.0.0.1:{closed_port}/x", serverSelectionTimeoutMS=200
        )
        return {"n": mongo["x"]["y"].count_documents({})}

    response = flask_client.get("/store-read")

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.get_json()["error"]["code"] == "service_unavailable"
