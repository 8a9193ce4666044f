"""Forged and broken tokens shared by the JWT tests of the verifier, DRF and Flask."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any

from dbay_common.testing.plugin import RsaKeyPair, generate_rsa_keypair, sign_token


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def segment(document: dict[str, Any]) -> str:
    return b64(json.dumps(document, separators=(",", ":")).encode())


def default_claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {"iss": "dbay-user-service", "aud": "dbay-api", "sub": "user-1", "iat": now, "exp": now + 300}
    claims.update(overrides)
    return claims


def alg_none_token(keypair: RsaKeyPair) -> str:
    return f"{segment({'alg': 'none', 'typ': 'JWT', 'kid': keypair.kid})}.{segment(default_claims())}."


def hs256_with_public_key_token(keypair: RsaKeyPair) -> str:
    """The key-confusion attack: HMAC-SHA256 keyed with the RSA public key PEM that anyone can fetch."""
    signing_input = (
        f"{segment({'alg': 'HS256', 'typ': 'JWT', 'kid': keypair.kid})}.{segment(default_claims())}"
    )
    signature = hmac.new(keypair.public_pem, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


def tampered_token(keypair: RsaKeyPair) -> str:
    header, _payload, signature = sign_token(keypair).split(".")
    return f"{header}.{segment(default_claims(sub='admin', roles=['admin']))}.{signature}"


def unknown_kid_token(keypair: RsaKeyPair) -> str:
    return sign_token(generate_rsa_keypair(kid="kid-nobody-knows"))


def forged_same_kid_token(keypair: RsaKeyPair) -> str:
    """Signed by another key but claiming the trusted kid."""
    return sign_token(generate_rsa_keypair(kid=keypair.kid))


BAD_TOKENS: dict[str, Callable[[RsaKeyPair], str]] = {
    "alg_none": alg_none_token,
    "hs256_public_key": hs256_with_public_key_token,
    "expired": lambda kp: sign_token(kp, iat=int(time.time()) - 3600, exp=int(time.time()) - 60),
    "not_yet_valid": lambda kp: sign_token(kp, nbf=int(time.time()) + 600),
    "wrong_audience": lambda kp: sign_token(kp, aud="another-api"),
    "wrong_issuer": lambda kp: sign_token(kp, iss="evil-issuer"),
    "tampered_payload": tampered_token,
    "unknown_kid": unknown_kid_token,
    "forged_same_kid": forged_same_kid_token,
    "missing_exp": lambda kp: sign_token(kp, exp=None),
    "missing_iat": lambda kp: sign_token(kp, iat=None),
    "missing_sub": lambda kp: sign_token(kp, sub=None),
    "empty_sub": lambda kp: sign_token(kp, sub=""),
    "garbage": lambda kp: "not.a.jwt",
}

# What the verifier says for each (TokenInvalid message); also the 401 message in DRF and Flask.
BAD_TOKEN_MESSAGES = {
    "alg_none": "token algorithm must be RS256",
    "hs256_public_key": "token algorithm must be RS256",
    "expired": "token has expired",
    "not_yet_valid": "token is not yet valid",
    "wrong_audience": "token audience is not accepted",
    "wrong_issuer": "token issuer is not accepted",
    "tampered_payload": "token signature is invalid",
    "unknown_kid": "token signed with an unknown key",
    "forged_same_kid": "token signature is invalid",
    "missing_exp": "token is missing the 'exp' claim",
    "missing_iat": "token is missing the 'iat' claim",
    "missing_sub": "token is missing the 'sub' claim",
    "empty_sub": "token subject is invalid",
    "garbage": "token is malformed",
}
