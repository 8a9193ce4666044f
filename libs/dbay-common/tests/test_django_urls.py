"""``public_api_urlpatterns``: the API index, the OpenAPI document and Swagger UI served offline."""

from __future__ import annotations

import re
from importlib.metadata import version

import pytest
from django.test import Client

from dbay_common.swagger_ui import SWAGGER_UI_DIST

PREFIX = "/api/v1/test/"
ASSETS = f"{PREFIX}static/drf_spectacular_sidecar/swagger-ui-dist/"


def body_of(response: object) -> bytes:
    return b"".join(response.streaming_content)  # type: ignore[attr-defined]


def test_index_names_the_service_and_its_documentation(client: Client) -> None:
    response = client.get(PREFIX)

    assert response.status_code == 200
    assert response.json() == {
        "service": "dbay-common",
        "version": version("dbay-common"),
        "openapi_url": f"{PREFIX}openapi.json",
        "docs_url": f"{PREFIX}docs/",
    }


def test_index_is_documented_under_the_resource_name(client: Client) -> None:
    document = client.get(f"{PREFIX}openapi.json").json()

    index = document["paths"][PREFIX]["get"]
    assert index["operationId"] == "test_index"
    assert index["summary"] == "API index"
    assert index["security"] == [{}]
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
    }


def test_swagger_ui_loads_only_files_the_service_serves(client: Client) -> None:
    response = client.get(f"{PREFIX}docs/")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    page = response.content.decode()
    assert f'"{PREFIX}openapi.json"' in page
    assert sorted(re.findall(r'(?:href|src)="([^"]+)"', page)) == [
        f"{ASSETS}favicon-32x32.png",
        f"{ASSETS}swagger-ui-bundle.js",
        f"{ASSETS}swagger-ui-standalone-preset.js",
        f"{ASSETS}swagger-ui.css",
    ]


def test_swagger_ui_files_are_served_with_a_cache_lifetime(client: Client) -> None:
    response = client.get(f"{ASSETS}swagger-ui.css")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/css"
    assert response["Cache-Control"] == "public, max-age=86400"
    assert body_of(response) == (SWAGGER_UI_DIST / "swagger-ui.css").read_bytes()


@pytest.mark.parametrize("name", ["nothing.js", "..%2F..%2F__init__.py", "%2E%2E"])
def test_only_swagger_ui_files_are_served(client: Client, name: str) -> None:
    response = client.get(f"{ASSETS}{name}")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_swagger_ui_files_are_read_only(client: Client) -> None:
    response = client.post(f"{ASSETS}swagger-ui.css", headers={"Idempotency-Key": "k"})

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert response.json()["error"]["code"] == "method_not_allowed"
