"""Shared fixtures of the dbay-common tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from dbay_common.jwt import reset_verifier_cache
from dbay_common.testing.plugin import JwksServer, RsaKeyPair


@pytest.fixture
def served(jwks_server: JwksServer, rsa_keypair: RsaKeyPair) -> Iterator[JwksServer]:
    """The session JWKS server reset to the session key, with a zeroed hit counter."""
    jwks_server.set_keys(rsa_keypair.jwk)
    jwks_server.reset_hits()
    reset_verifier_cache()
    yield jwks_server
    jwks_server.set_keys(rsa_keypair.jwk)
    reset_verifier_cache()


@pytest.fixture
def django_jwt(settings: Any, served: JwksServer) -> JwksServer:
    """Django settings pointing JWT verification at the local JWKS server."""
    settings.JWT_ISSUER = "dbay-user-service"
    settings.JWT_AUDIENCE = ["dbay-api"]
    settings.JWT_JWKS_URL = served.url
    return served
