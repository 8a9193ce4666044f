"""Service tokens (dbay_common.drf.service_auth) as the internal API sees them."""

from __future__ import annotations

import time
import uuid

import pytest

from dbay_common.drf.service_auth import VerifiedTokenCache, service_jwt_verifier, verified_service_tokens
from dbay_common.jwt import TokenInvalid

pytestmark = pytest.mark.usefixtures("jwt_settings")


def test_a_verified_service_token_is_reused_until_it_expires(make_token, jwt_settings):
    cache = VerifiedTokenCache()
    token = make_token(sub="order-service", aud="dbay-internal", roles=["service"])
    verifier = service_jwt_verifier()
    jwt_settings.reset_hits()

    first = cache.verify(verifier, token)
    second = cache.verify(verifier, token)

    assert first == second
    assert (first["sub"], first["roles"]) == ("order-service", ["service"])
    assert jwt_settings.hits == 1  # keys fetched once, and the second answer came from the cache


def test_an_expired_entry_is_verified_again_and_refused(make_token):
    cache = VerifiedTokenCache()
    verifier = service_jwt_verifier()
    now = int(time.time())
    token = make_token(aud="dbay-internal", roles=["service"], iat=now - 100, exp=now - verifier.leeway_s - 5)

    with pytest.raises(TokenInvalid, match="expired"):
        cache.verify(verifier, token)


def test_forged_tokens_are_never_cached(make_token):
    cache = VerifiedTokenCache(max_entries=2)
    verifier = service_jwt_verifier()
    token = make_token(aud="dbay-internal", roles=["service"])
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")

    for _ in range(2):
        with pytest.raises(TokenInvalid):
            cache.verify(verifier, forged)
    for index in range(3):  # a full cache empties itself rather than growing
        cache.verify(verifier, make_token(aud="dbay-internal", sub=f"s{index}-{uuid.uuid4()}"))
    assert len(cache._entries) <= 2


def test_user_tokens_do_not_verify_as_service_tokens(make_token):
    verified_service_tokens.clear()

    with pytest.raises(TokenInvalid, match="audience"):
        verified_service_tokens.verify(service_jwt_verifier(), make_token(roles=["service"]))
