"""Every operation of the committed OpenAPI document, called in-process by a member who registered
and signed in for real: no 5xx, only documented statuses, bodies matching their schemas
(``dbay_common.testing.openapi``).

Rate limits stay on (each test has its own Redis key prefix): a 429 is a documented answer.
Operations that need a TOTP code from the member's authenticator (2FA confirm, verify, disable,
recovery codes, sign-in step two) are still called with the generated input, so their refusals are
checked here; their successful paths are covered in ``tests/accounts/test_two_factor.py``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from rest_framework.test import APIClient

from dbay_common.testing.openapi import SchemathesisTally, contract_schema, django_wsgi_app
from user_service.accounts import keys, services

PASSWORD = "Vivid-Otter-Harbor-42"

schema = contract_schema("user-service")
TALLY = SchemathesisTally("user-service")


@pytest.fixture
def app() -> Iterator[Any]:
    with django_wsgi_app() as handler:
        yield handler


@pytest.fixture(scope="module", autouse=True)
def _report(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    TALLY.report(request.config)


@pytest.fixture
def _isolated(settings: Any, redis_url: str, redis_key_prefix: str) -> Iterator[None]:
    """Rate limits on a Redis test db under this test's key prefix; a fresh signing-key cache."""
    settings.RATELIMIT_REDIS_URL = redis_url
    settings.RATELIMIT_KEY_PREFIX = redis_key_prefix
    keys.reset_key_cache()
    yield
    keys.reset_key_cache()
    client = redis.Redis.from_url(redis_url)
    try:
        for key in client.scan_iter(f"{redis_key_prefix}*"):
            client.delete(key)
    finally:
        client.close()


@pytest.fixture
def auth_headers(_isolated: None) -> dict[str, str]:
    """A member registered by the real service, signed in through the API (password, no 2FA)."""
    username = f"fuzz_{uuid.uuid4().hex[:8]}"
    services.user_register(email=f"{username}@example.com", username=username, password=PASSWORD)
    response = APIClient().post("/api/v1/user/auth/login", {"login": username, "password": PASSWORD})
    assert response.status_code == 200, response.content
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.mark.django_db
@schema.parametrize()
def test_api_matches_its_document(case: Any, app: Any, auth_headers: dict[str, str]) -> None:
    TALLY.call_and_validate(case, app=app, headers=auth_headers)
