"""Encryption at rest of the secrets user-service keeps: signing private keys and TOTP secrets.

AES-256-GCM with a key derived (HKDF-SHA256) from a configured secret and a purpose string, so the
signing-key and TOTP keys differ even when derived from the same secret, and a ciphertext is bound
to the row it belongs to through the associated data (a signing key's ``kid``, a user's id): copying
an encrypted TOTP secret onto another user's row makes it undecryptable.

Secrets, first one encrypts, every one decrypts (so they can be rotated):

* signing keys: ``USER_SERVICE_SIGNING_KEYS`` if set, else ``DJANGO_SECRET_KEY`` (+ its fallbacks);
* TOTP secrets: ``DJANGO_SECRET_KEY`` (+ ``SECRET_KEY_FALLBACKS``).

Format: ``v1.<base64url(nonce | ciphertext+tag)>``.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

PURPOSE_SIGNING_KEY = "dbay-user-service/signing-key/v1"
PURPOSE_TOTP_SECRET = "dbay-user-service/totp-secret/v1"
_VERSION = "v1"
_NONCE_BYTES = 12


class DecryptionFailed(Exception):  # noqa: N818 - reads better at the call site
    """No configured secret decrypts this value (wrong secret, or the value was tampered with)."""


def _secrets(purpose: str) -> list[str]:
    django_secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    if purpose == PURPOSE_SIGNING_KEY:
        configured: Sequence[str] = getattr(settings, "USER_SERVICE_SIGNING_KEYS", ())
        return list(configured) or django_secrets
    return django_secrets


def _derive(secret: str, purpose: str) -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode()).derive(
        secret.encode("utf-8")
    )
    return AESGCM(key)


def encrypt(plaintext: bytes, *, purpose: str, associated_data: bytes) -> str:
    """Encrypt ``plaintext`` with the first secret of ``purpose``; the result is ASCII text."""
    nonce = os.urandom(_NONCE_BYTES)
    sealed = _derive(_secrets(purpose)[0], purpose).encrypt(nonce, plaintext, associated_data)
    return f"{_VERSION}.{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def decrypt(token: str, *, purpose: str, associated_data: bytes) -> bytes:
    """The plaintext of :func:`encrypt`'s output; raises :class:`DecryptionFailed`."""
    version, _, body = token.partition(".")
    if version != _VERSION or not body:
        raise DecryptionFailed("unknown ciphertext format")
    raw = base64.urlsafe_b64decode(body.encode())
    nonce, sealed = raw[:_NONCE_BYTES], raw[_NONCE_BYTES:]
    for secret in _secrets(purpose):
        try:
            return _derive(secret, purpose).decrypt(nonce, sealed, associated_data)
        except InvalidTag:
            continue
    raise DecryptionFailed("no configured secret decrypts this value")
