"""Fixtures of the ledger tests (helpers are in ledger_helpers.py)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from dbay_common.jwt import reset_verifier_cache
from dbay_common.testing.plugin import JwksServer, RsaKeyPair

from .ledger_helpers import seed_platform_accounts


@pytest.fixture
def jwt_settings(settings: Any, jwks_server: JwksServer, rsa_keypair: RsaKeyPair) -> Iterator[JwksServer]:
    """JWT verification (user and service tokens) against the test JWKS server."""
    jwks_server.set_keys(rsa_keypair.jwk)
    settings.JWT_ISSUER = "dbay-user-service"
    settings.JWT_AUDIENCE = ["dbay-api"]
    settings.JWT_JWKS_URL = jwks_server.url
    settings.INTERNAL_JWT_AUDIENCE = "dbay-internal"
    reset_verifier_cache()
    yield jwks_server
    reset_verifier_cache()


@pytest.fixture
def service_token(make_token: Callable[..., str]) -> str:
    return make_token(sub="auction-service", aud="dbay-internal", roles=["service"])


@pytest.fixture
def service_headers(service_token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {service_token}"}


@pytest.fixture
def user_token_for(make_token: Callable[..., str]) -> Callable[[uuid.UUID], str]:
    def token(user_id: uuid.UUID) -> str:
        return make_token(sub=str(user_id), roles=["user"])

    return token


@pytest.fixture
def ledger_committed(transactional_db: None) -> None:
    """A committing (transactional) test database with the platform accounts in place."""
    seed_platform_accounts()


@pytest.fixture
def ledger_live_server(ledger_committed: None) -> Iterator[str]:
    """A live server (its own thread per request) whose listen backlog takes a burst of 100 clients.

    pytest-django's ``live_server`` listens with Django's backlog of 10: fifty clients connecting at
    the same instant overflow it and some get their connection reset before any request is read,
    which says nothing about the ledger. Yields the base URL.
    """
    from django.core.servers.basehttp import ThreadedWSGIServer
    from pytest_django.live_server_helper import LiveServer

    class BurstServer(ThreadedWSGIServer):
        request_queue_size = 256

    server = LiveServer("127.0.0.1", start=False)
    server.thread.server_class = BurstServer
    server.start()
    try:
        yield server.url
    finally:
        server.stop()
