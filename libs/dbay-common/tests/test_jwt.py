"""JwtVerifier: every forged or broken token is refused; keys come over real HTTP with rotation."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from dbay_common.errors import ServiceUnavailable
from dbay_common.jwt import JwtVerifier, TokenInvalid, bearer_token, verifier_for
from dbay_common.testing.plugin import JwksServer, RsaKeyPair, generate_rsa_keypair, sign_token
from tests.tokens import BAD_TOKEN_MESSAGES, BAD_TOKENS


@pytest.fixture
def verifier(jwks: dict[str, Any]) -> JwtVerifier:
    return JwtVerifier(issuer="dbay-user-service", audience="dbay-api", jwks=jwks)


def test_valid_token(verifier: JwtVerifier, make_token: Callable[..., str]) -> None:
    token = make_token(sub="user-42", roles=["seller"])
    claims = verifier.verify(token)
    assert claims["sub"] == "user-42"
    assert claims["roles"] == ["seller"]
    assert claims["iss"] == "dbay-user-service"


def test_leeway_accepts_small_clock_skew(verifier: JwtVerifier, rsa_keypair: RsaKeyPair) -> None:
    now = int(time.time())
    assert verifier.verify(sign_token(rsa_keypair, exp=now - 10, iat=now - 300))["sub"] == "user-1"
    assert verifier.verify(sign_token(rsa_keypair, nbf=now + 10))["sub"] == "user-1"


def test_audience_list(jwks: dict[str, Any], rsa_keypair: RsaKeyPair) -> None:
    verifier = JwtVerifier(issuer="dbay-user-service", audience=["internal", "dbay-api"], jwks=jwks)
    assert verifier.verify(sign_token(rsa_keypair))["aud"] == "dbay-api"
    assert verifier.verify(sign_token(rsa_keypair, aud=["x", "internal"]))["aud"] == ["x", "internal"]


@pytest.mark.parametrize("case", sorted(BAD_TOKENS))
def test_bad_tokens_rejected(verifier: JwtVerifier, rsa_keypair: RsaKeyPair, case: str) -> None:
    token = BAD_TOKENS[case](rsa_keypair)
    with pytest.raises(TokenInvalid) as raised:
        verifier.verify(token)
    assert str(raised.value) == BAD_TOKEN_MESSAGES[case]


def test_kidless_token_only_with_a_single_key(rsa_keypair: RsaKeyPair) -> None:
    other = generate_rsa_keypair()
    token = sign_token(rsa_keypair, headers={"kid": None})
    single = JwtVerifier(issuer="dbay-user-service", audience="dbay-api", jwks={"keys": [rsa_keypair.jwk]})
    assert single.verify(token)["sub"] == "user-1"
    double = JwtVerifier(
        issuer="dbay-user-service", audience="dbay-api", jwks={"keys": [rsa_keypair.jwk, other.jwk]}
    )
    with pytest.raises(TokenInvalid, match="unknown key"):
        double.verify(token)


def test_constructor_needs_exactly_one_key_source(jwks: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="exactly one"):
        JwtVerifier(issuer="i", audience="a")
    with pytest.raises(ValueError, match="exactly one"):
        JwtVerifier(issuer="i", audience="a", jwks=jwks, jwks_url="http://x")


def test_non_rsa_and_private_material_in_jwks(rsa_keypair: RsaKeyPair) -> None:
    jwks = {
        "keys": [
            {"kty": "oct", "k": "c2VjcmV0", "kid": "hmac"},
            {"kty": "RSA", "kid": "broken"},
            rsa_keypair.jwk,
        ]
    }
    verifier = JwtVerifier(issuer="dbay-user-service", audience="dbay-api", jwks=jwks)
    assert verifier.verify(sign_token(rsa_keypair))["sub"] == "user-1"


# -- JWKS over HTTP --------------------------------------------------------------------------------


def http_verifier(url: str, **kwargs: Any) -> JwtVerifier:
    return JwtVerifier(issuer="dbay-user-service", audience="dbay-api", jwks_url=url, **kwargs)


def test_jwks_fetched_once_and_cached(served: JwksServer, rsa_keypair: RsaKeyPair) -> None:
    verifier = http_verifier(served.url)
    for _ in range(5):
        assert verifier.verify(sign_token(rsa_keypair))["sub"] == "user-1"
    assert served.hits == 1


def test_key_rotation_triggers_one_refetch(served: JwksServer, rsa_keypair: RsaKeyPair) -> None:
    verifier = http_verifier(served.url)
    assert verifier.verify(sign_token(rsa_keypair))["sub"] == "user-1"
    assert served.hits == 1

    new_key = generate_rsa_keypair(kid="rotated-2")
    served.set_keys(rsa_keypair.jwk, new_key.jwk)
    assert verifier.verify(sign_token(new_key, sub="user-2"))["sub"] == "user-2"
    assert served.hits == 2  # exactly one refetch for the new kid

    # Further unknown kids within the throttle window do not hit user-service again.
    for _ in range(3):
        with pytest.raises(TokenInvalid, match="unknown key"):
            verifier.verify(sign_token(generate_rsa_keypair(kid="random-kid")))
    assert served.hits == 2
    # The rotated and the old key both still work from the cache.
    assert verifier.verify(sign_token(new_key))["sub"] == "user-1"
    assert verifier.verify(sign_token(rsa_keypair))["sub"] == "user-1"
    assert served.hits == 2


def test_unknown_kid_refresh_is_throttled_then_allowed_again(
    served: JwksServer, rsa_keypair: RsaKeyPair
) -> None:
    verifier = http_verifier(served.url, jwks_refresh_min_interval_s=0.2)
    verifier.verify(sign_token(rsa_keypair))
    stranger = sign_token(generate_rsa_keypair(kid="stranger"))
    with pytest.raises(TokenInvalid):
        verifier.verify(stranger)
    with pytest.raises(TokenInvalid):
        verifier.verify(stranger)
    assert served.hits == 2
    time.sleep(0.25)
    with pytest.raises(TokenInvalid):
        verifier.verify(stranger)
    assert served.hits == 3


def test_cache_ttl_expiry_refetches(served: JwksServer, rsa_keypair: RsaKeyPair) -> None:
    verifier = http_verifier(served.url, jwks_cache_ttl_s=0)
    verifier.verify(sign_token(rsa_keypair))
    verifier.verify(sign_token(rsa_keypair))
    assert served.hits == 2


def test_removed_key_stops_working_after_ttl(served: JwksServer, rsa_keypair: RsaKeyPair) -> None:
    verifier = http_verifier(served.url, jwks_cache_ttl_s=0)
    verifier.verify(sign_token(rsa_keypair))
    served.set_keys(generate_rsa_keypair().jwk)
    with pytest.raises(TokenInvalid, match="unknown key"):
        verifier.verify(sign_token(rsa_keypair))


def test_unreachable_jwks_is_503_not_401(rsa_keypair: RsaKeyPair) -> None:
    verifier = http_verifier("http://127.0.0.1:1/jwks.json")
    with pytest.raises(ServiceUnavailable) as raised:
        verifier.verify(sign_token(rsa_keypair))
    assert (raised.value.status, raised.value.code) == (503, "jwks_unavailable")


def test_bad_token_rejected_before_fetching(served: JwksServer, rsa_keypair: RsaKeyPair) -> None:
    verifier = http_verifier(served.url)
    for case in ("alg_none", "hs256_public_key", "garbage"):
        with pytest.raises(TokenInvalid):
            verifier.verify(BAD_TOKENS[case](rsa_keypair))
    assert served.hits == 0


def test_shared_verifier_cache() -> None:
    first = verifier_for(issuer="i", audience="a", jwks_url="http://127.0.0.1:1/x")
    assert verifier_for(issuer="i", audience=["a"], jwks_url="http://127.0.0.1:1/x") is first
    assert verifier_for(issuer="i", audience="b", jwks_url="http://127.0.0.1:1/x") is not first


@pytest.mark.parametrize(
    ("header", "token"),
    [
        (None, None),
        ("", None),
        ("Basic abc", None),
        ("Bearer abc", "abc"),
        ("bearer abc", "abc"),
        (b"Bearer x", "x"),
    ],
)
def test_bearer_token(header: str | bytes | None, token: str | None) -> None:
    assert bearer_token(header) == token


@pytest.mark.parametrize("header", ["Bearer", "Bearer a b", "Bearer é"])
def test_bearer_token_malformed(header: str) -> None:
    with pytest.raises(TokenInvalid):
        bearer_token(header)
