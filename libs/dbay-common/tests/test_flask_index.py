"""``add_api_index``: the Flask API index, answered and documented as the Django one."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from importlib.metadata import version

import pytest
from flask import Flask
from flask.testing import FlaskClient

from dbay_common.testing.plugin import JwksServer
from tests.flask_app import PREFIX, build_app


@pytest.fixture
def client(served: JwksServer) -> Iterator[FlaskClient]:
    root = logging.getLogger()
    saved = list(root.handlers), root.level
    try:
        app: Flask = build_app(jwks_url=served.url)
    finally:
        root.handlers, _ = saved[0], root.setLevel(saved[1])
    yield app.test_client()


def test_index_names_the_service_and_its_documentation(client: FlaskClient) -> None:
    response = client.get(f"{PREFIX}/")

    assert response.status_code == 200
    assert response.get_json() == {
        "service": "dbay-common",
        "version": version("dbay-common"),
        "openapi_url": f"{PREFIX}/openapi.json",
        "docs_url": f"{PREFIX}/docs/",
    }


def test_index_is_documented_under_the_resource_name(client: FlaskClient) -> None:
    document = client.get(f"{PREFIX}/openapi.json").get_json()

    index = document["paths"][f"{PREFIX}/"]["get"]
    assert index["operationId"] == "test_index"
    assert index["summary"] == "API index"
    # Public, but a token that is sent is checked (install_request_guards): documented as optional.
    assert index["security"] == [{"bearerAuth": []}, {}]
    assert index["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/TestIndex"
    }
    assert document["components"]["schemas"]["TestIndex"] == {
        "type": "object",
        "properties": {
            "service": {"type": "string"},
            "version": {"type": "string"},
            "openapi_url": {"type": "string"},
            "docs_url": {"type": "string"},
        },
        "required": ["docs_url", "openapi_url", "service", "version"],
        "additionalProperties": False,
    }
