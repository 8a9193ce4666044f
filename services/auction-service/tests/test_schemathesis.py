"""Every operation of the committed OpenAPI document, called in-process with a signed-in user:
no 5xx, only documented statuses, bodies matching their schemas (``dbay_common.testing.openapi``)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from dbay_common.jwt import reset_verifier_cache
from dbay_common.testing.openapi import SchemathesisTally, contract_schema, django_wsgi_app
from dbay_common.testing.plugin import JwksServer

schema = contract_schema("auction-service")
TALLY = SchemathesisTally("auction-service")


@pytest.fixture
def app() -> Iterator[Any]:
    with django_wsgi_app() as handler:
        yield handler


@pytest.fixture(scope="module", autouse=True)
def _report(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    TALLY.report(request.config)


@pytest.fixture
def auth_headers(
    settings: Any, jwks_server: JwksServer, make_token: Callable[..., str]
) -> Iterator[dict[str, str]]:
    settings.JWT_JWKS_URL = jwks_server.url
    reset_verifier_cache()
    token = make_token(sub=str(uuid.uuid4()), roles=["buyer", "seller"], email_verified=True)
    yield {"Authorization": f"Bearer {token}"}
    reset_verifier_cache()


@pytest.mark.django_db
@schema.parametrize()
def test_api_matches_its_document(case: Any, app: Any, auth_headers: dict[str, str]) -> None:
    TALLY.call_and_validate(case, app=app, headers=auth_headers)
