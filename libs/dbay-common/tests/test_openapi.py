"""The responses every OpenAPI document lists whatever the view declares (``dbay_common.openapi``), for
drf-spectacular (the postprocessing hook) and flask-smorest (the apispec plugin)."""

from __future__ import annotations

from typing import Any

import pytest

from dbay_common.openapi import (
    API_CONVENTIONS,
    ERROR_DESCRIPTIONS,
    IDEMPOTENCY_KEY_MAX_LENGTH,
    add_common_responses,
    common_statuses,
)
from dbay_common.request_body import DEFAULT_MAX_REQUEST_BODY_BYTES
from dbay_common.testing.plugin import JwksServer

ERROR_REF = {"$ref": "#/components/schemas/ErrorResponse"}


def test_every_route_lists_503_with_retry_after() -> None:
    operation: dict[str, Any] = {"responses": {"200": {"description": "ok"}}}
    add_common_responses(operation)
    assert sorted(operation["responses"]) == ["200", "503"]
    unavailable = operation["responses"]["503"]
    assert unavailable["content"] == {"application/json": {"schema": ERROR_REF}}
    assert unavailable["headers"]["Retry-After"]["schema"] == {"type": "integer", "minimum": 0}


def test_body_security_and_idempotency_key_add_their_statuses() -> None:
    operation: dict[str, Any] = {
        "requestBody": {"content": {"application/json": {}}},
        "security": [{"bearerAuth": []}],
        "parameters": [{"in": "header", "name": "Idempotency-Key", "schema": {"type": "string"}}],
        "responses": {"201": {"description": "created"}, "409": {"description": "The view's own."}},
    }
    add_common_responses(operation)
    assert sorted(operation["responses"]) == ["201", "400", "401", "409", "413", "415", "422", "503"]
    assert operation["responses"]["409"] == {"description": "The view's own."}
    assert str(DEFAULT_MAX_REQUEST_BODY_BYTES) in operation["responses"]["413"]["description"]
    assert f"1 to {IDEMPOTENCY_KEY_MAX_LENGTH}" in operation["responses"]["400"]["description"]


def test_public_route_without_body_gets_only_503() -> None:
    assert list(common_statuses({"security": [{}], "responses": {}})) == [503]
    # An optional token ([{bearerAuth: []}, {}]) is still checked when sent: 401.
    assert sorted(common_statuses({"security": [{"bearerAuth": []}, {}]})) == [401, 503]
    # The document's security applies when the operation has none.
    assert sorted(common_statuses({}, document_security=[{"bearerAuth": []}])) == [401, 503]


def test_429_gets_retry_after_header() -> None:
    operation: dict[str, Any] = {"responses": {"429": {"description": "slow down"}}}
    add_common_responses(operation)
    assert "Retry-After" in operation["responses"]["429"]["headers"]


def test_error_responses_standard_and_own_descriptions() -> None:
    from dbay_common.drf.schema import ErrorResponseSerializer, error_responses

    responses = error_responses(403, 404, descriptions={404: "No such widget."})
    assert sorted(responses) == [403, 404]
    assert responses[403].response is ErrorResponseSerializer
    assert responses[403].description == ERROR_DESCRIPTIONS[403]
    assert responses[404].description == "No such widget."
    with pytest.raises(ValueError, match=r"\[409\]"):
        error_responses(403, descriptions={409: "not listed"})


def test_drf_hook_adds_responses_components_and_conventions(django_jwt: JwksServer) -> None:
    from drf_spectacular.generators import SchemaGenerator

    from dbay_common.drf.schema import postprocess_common_responses

    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert schema["info"]["description"] == API_CONVENTIONS
    assert schema["components"]["schemas"]["ErrorResponse"]["required"] == ["error"]
    items = schema["paths"]["/api/items"]["get"]
    # AllowAny with the JWT authenticator: a token that is sent is checked, so 401 is possible.
    assert items["security"] == [{"bearerAuth": []}, {}]
    assert sorted(items["responses"]) == ["200", "401", "503"]
    assert items["responses"]["503"]["content"]["application/json"]["schema"] == ERROR_REF

    result: dict[str, Any] = {
        "info": {"title": "t", "description": "Own words."},
        "paths": {"/x": {"parameters": [], "post": {"requestBody": {}, "responses": {}}}},
    }
    postprocess_common_responses(result, generator=None, request=None, public=True)
    assert sorted(result["paths"]["/x"]["post"]["responses"]) == ["400", "413", "415", "503"]
    assert result["info"]["description"] == f"Own words.\n\n{API_CONVENTIONS}"
    assert set(result["components"]["schemas"]) == {"ErrorDetail", "ErrorResponse"}


def test_flask_documents_list_platform_responses(served: JwksServer) -> None:
    from tests.flask_app import PREFIX, build_app

    spec = build_app(jwks_url=served.url).test_client().get(f"{PREFIX}/openapi.json").get_json()
    assert spec["info"]["description"] == API_CONVENTIONS
    creation = spec["paths"][f"{PREFIX}/creations"]["post"]
    header = next(p for p in creation["parameters"] if p["name"] == "Idempotency-Key")
    assert header["in"] == "header"
    assert header["schema"]["maxLength"] == IDEMPOTENCY_KEY_MAX_LENGTH
    assert sorted(creation["responses"]) == ["400", "401", "409", "413", "415", "422", "503"]
    assert creation["responses"]["422"]["content"]["application/json"]["schema"] == ERROR_REF
    assert "default" not in creation["responses"]
    # A route without a declared requirement still checks a token that is sent.
    assert spec["paths"][f"{PREFIX}/boom"]["get"]["security"] == [{"bearerAuth": []}, {}]


def test_page_parameters_state_the_pagination_limits() -> None:
    from dbay_common.drf.schema import page_parameters

    parameters = {parameter.name: parameter for parameter in page_parameters("withdrawal")}
    assert sorted(parameters) == ["ending_before", "limit", "starting_after"]
    assert parameters["limit"].type == {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}
    assert parameters["starting_after"].type == {"type": "string", "minLength": 1}
    assert parameters["starting_after"].description == (
        "Return the items after the withdrawal with this id (next page)."
    )
