"""Every operation of the committed OpenAPI document, called in-process with a signed-in user:
no 5xx, only documented statuses, bodies matching their schemas (``dbay_common.testing.openapi``)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask

from dbay_common.testing.openapi import SchemathesisTally, contract_schema
from dbay_common.testing.plugin import JwksServer
from search_gateway import create_app

schema = contract_schema("search-gateway")
TALLY = SchemathesisTally("search-gateway")


@pytest.fixture(scope="module", autouse=True)
def _report(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    TALLY.report(request.config)


@pytest.fixture
def signed_in_app(jwks_server: JwksServer) -> Flask:
    return create_app({"JWT_JWKS_URL": jwks_server.url})


@pytest.fixture
def auth_headers(make_token: Callable[..., str]) -> dict[str, str]:
    token = make_token(sub=str(uuid.uuid4()), roles=["buyer", "seller"], email_verified=True)
    return {"Authorization": f"Bearer {token}"}


@schema.parametrize()
def test_api_matches_its_document(case: Any, signed_in_app: Flask, auth_headers: dict[str, str]) -> None:
    TALLY.call_and_validate(case, app=signed_in_app, headers=auth_headers)
