"""Signing keys: the first key, created on the first sign-in, and rotation (``rotate_signing_key``).

Reads of the keys in use (the signing key, the JWKS, our own verifier) are in ``accounts/keys.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from user_service.accounts import keys
from user_service.accounts.models import SigningKey

_SIGNING_KEY_LOCK_ID = 4_004_001  # pg_advisory_xact_lock id serialising key creation and rotation


def signing_key_ensure_before_signing() -> None:
    """Create the very first signing key if there is none; called *before* the transaction that
    signs, so the key is committed before any token signed by it leaves."""
    if keys.current_keyset().signing_key is None:
        signing_key_ensure()
        keys.reset_key_cache()


def _lock_signing_keys() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_SIGNING_KEY_LOCK_ID])


@transaction.atomic
def signing_key_ensure() -> SigningKey:
    """The active signing key, creating one (active at once) when none exists: the first token ever.

    Serialised by an advisory lock, so concurrent first sign-ins create one key, not several.
    """
    _lock_signing_keys()
    now = timezone.now()
    active = (
        SigningKey.objects.filter(retired_at__isnull=True, activates_at__lte=now)
        .order_by("-activates_at", "-id")
        .first()
    )
    if active is not None:
        return active
    generated = keys.generate_signing_key()
    return SigningKey.objects.create(
        kid=generated.kid,
        public_jwk=generated.public_jwk,
        private_key_encrypted=generated.private_key_encrypted,
        created_at=now,
        activates_at=now,
    )


class RotationRefused(Exception):  # noqa: N818 - reads as the command's message
    """Retiring the previous key now could invalidate access tokens that are still valid."""


@dataclass(frozen=True)
class RotationResult:
    new_key: SigningKey
    retired: list[str]


@transaction.atomic
def signing_key_rotate(
    *, activation_delay_s: int, force: bool = False, compromised: bool = False
) -> RotationResult:
    """Create a new signing key, published now and signing after ``activation_delay_s``.

    After rotation the JWKS holds the new key and the one signing until now (the previous key), so
    tokens it signed keep verifying until they expire. The key that was previous before is retired:
    refused (:class:`RotationRefused`) while tokens it signed may still be valid (its successor has
    signed for less than ``ACCESS_TOKEN_TTL_S`` + leeway) unless ``force``. ``compromised`` retires
    every existing key at once and activates the new one immediately: all access tokens stop
    verifying and clients refresh. Serialised by an advisory lock.
    """
    _lock_signing_keys()
    now = timezone.now()
    published = list(SigningKey.objects.filter(retired_at__isnull=True).order_by("-activates_at", "-id"))
    active = next((key for key in published if key.activates_at <= now), None)
    if active is None:
        activation_delay_s = 0  # nothing signs yet: the first key is needed now
    if compromised:
        to_retire = published
        activation_delay_s = 0
    else:
        to_retire = [key for key in published if key is not active]
        in_use_until = (
            active.activates_at + timedelta(seconds=settings.ACCESS_TOKEN_TTL_S + 60) if active else now
        )
        older = [key for key in to_retire if active is not None and key.activates_at < active.activates_at]
        if older and in_use_until > now and not force:
            raise RotationRefused(
                f"the previous key {older[0].kid} may have signed tokens that are valid until "
                f"{in_use_until.isoformat(timespec='seconds')}; rotate after that, or pass --force"
            )
    for key in to_retire:
        key.retired_at = now
        key.save(update_fields=["retired_at"])
    generated = keys.generate_signing_key()
    new_key = SigningKey.objects.create(
        kid=generated.kid,
        public_jwk=generated.public_jwk,
        private_key_encrypted=generated.private_key_encrypted,
        created_at=now,
        activates_at=now + timedelta(seconds=activation_delay_s),
    )
    transaction.on_commit(keys.reset_key_cache)
    return RotationResult(new_key=new_key, retired=[key.kid for key in to_retire])
