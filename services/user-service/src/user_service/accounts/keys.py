"""Signing keys in use: which key signs access tokens, the JWKS we publish, and our own verifier.

Reads only (key creation and rotation are in ``services/signing_keys.py``). Each process caches the
key set for ``SIGNING_KEY_CACHE_TTL_S`` seconds (and no longer than the activation time of a waiting
key), so signing and verifying cost no query. Rotation publishes a new key ``SIGNING_KEY_ACTIVATION_DELAY_S``
before it signs anything, which is longer than that cache: every process knows a key before the
first token signed by it can reach it.

``local_verifier`` is the ``JWT_VERIFIER_FACTORY`` of this service: the shared
:class:`~dbay_common.jwt.JwtVerifier` fed with the published keys straight from the database, so
user-service never fetches its own JWKS over HTTP and applies exactly the checks every other
service applies.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import jwt as pyjwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.utils import timezone
from jwt.algorithms import RSAAlgorithm

from dbay_common.jwt import ALGORITHM, JwtVerifier
from user_service.accounts import crypto
from user_service.accounts.models import SigningKey

RSA_KEY_BITS = 2048


@dataclass(frozen=True)
class GeneratedKey:
    """A fresh key pair as stored: ``kid``, public JWK and the encrypted private key (PKCS#8 PEM)."""

    kid: str
    public_jwk: dict[str, Any]
    private_key_encrypted: str


def jwk_thumbprint(public_jwk: dict[str, Any]) -> str:
    """RFC 7638 thumbprint (SHA-256, base64url): a ``kid`` derived from the key itself."""
    canonical = json.dumps(
        {name: public_jwk[name] for name in ("e", "kty", "n")}, separators=(",", ":"), sort_keys=True
    )
    return base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()


def generate_signing_key() -> GeneratedKey:
    """A new 2048-bit RSA key, its public JWK (``use: sig``, ``alg: RS256``) and encrypted private PEM."""
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=RSA_KEY_BITS)
    jwk: dict[str, Any] = RSAAlgorithm.to_jwk(private_key.public_key(), as_dict=True)
    kid = jwk_thumbprint(jwk)
    jwk.update({"kid": kid, "use": "sig", "alg": ALGORITHM})
    pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    encrypted = crypto.encrypt(pem, purpose=crypto.PURPOSE_SIGNING_KEY, associated_data=kid.encode())
    return GeneratedKey(kid=kid, public_jwk=jwk, private_key_encrypted=encrypted)


def load_private_key(key: SigningKey) -> rsa.RSAPrivateKey:
    """Decrypt and parse a stored key's private half."""
    pem = crypto.decrypt(
        key.private_key_encrypted, purpose=crypto.PURPOSE_SIGNING_KEY, associated_data=key.kid.encode()
    )
    private_key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(private_key, rsa.RSAPrivateKey):
        raise TypeError(f"signing key {key.kid} is not an RSA key")
    return private_key


@dataclass(frozen=True)
class KeySet:
    """A snapshot of the keys: the one that signs now (if any), the published JWKS, a verifier."""

    signing_kid: str | None
    signing_key: rsa.RSAPrivateKey | None
    jwks: dict[str, Any]
    verifier: JwtVerifier
    valid_until: float  # time.monotonic() after which the snapshot is reloaded


_lock = threading.Lock()
_cached: KeySet | None = None


def _load(now: datetime) -> KeySet:
    published = list(SigningKey.objects.filter(retired_at__isnull=True).order_by("-activates_at", "-id"))
    active = next((key for key in published if key.activates_at <= now), None)
    waiting = [key.activates_at for key in published if key.activates_at > now]
    ttl_s = float(settings.SIGNING_KEY_CACHE_TTL_S)
    if waiting:
        ttl_s = max(0.0, min(ttl_s, (min(waiting) - now).total_seconds()))
    jwks = {"keys": [key.public_jwk for key in published]}
    verifier = JwtVerifier(issuer=settings.JWT_ISSUER, audience=list(settings.JWT_AUDIENCE), jwks=jwks)
    return KeySet(
        signing_kid=active.kid if active else None,
        signing_key=load_private_key(active) if active else None,
        jwks=jwks,
        verifier=verifier,
        valid_until=time.monotonic() + ttl_s,
    )


def current_keyset() -> KeySet:
    """The cached key snapshot, reloaded from the database when it is older than the cache TTL."""
    global _cached
    with _lock:
        if _cached is None or time.monotonic() >= _cached.valid_until:
            _cached = _load(timezone.now())
        return _cached


def reset_key_cache() -> None:
    """Drop the snapshot (after this process rotated keys, and between tests)."""
    global _cached
    with _lock:
        _cached = None


def local_verifier() -> JwtVerifier:
    """``JWT_VERIFIER_FACTORY``: the shared verifier over the keys we publish (no HTTP to ourselves)."""
    return current_keyset().verifier


def published_jwks() -> dict[str, Any]:
    """The JWKS document: current, previous and not-yet-active public keys."""
    return current_keyset().jwks


def access_token_audience() -> str:
    """The ``aud`` of the tokens we issue: the first of ``JWT_AUDIENCE``."""
    return str(next(iter(settings.JWT_AUDIENCE)))


def sign_access_token(claims: dict[str, Any], *, keyset: KeySet) -> str:
    """Sign ``claims`` with the keyset's active key (``kid`` in the header)."""
    if keyset.signing_key is None or keyset.signing_kid is None:
        raise RuntimeError("no active signing key")
    return pyjwt.encode(
        claims, keyset.signing_key, algorithm=ALGORITHM, headers={"kid": keyset.signing_kid, "typ": "JWT"}
    )


def new_jti() -> str:
    return uuid.uuid4().hex
