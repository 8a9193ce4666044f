"""The ``known_device`` cookie: a browser's signed proof that accounts have signed in from it.

Set on each successful sign-in (``{device id, up to 5 user ids}``, Django signature with its own
salt, valid ``KNOWN_DEVICE_TTL_S``; httpOnly, SameSite=Strict, on the sign-in path only). Sign-in
throttling (``sign_in_throttle.py``) counts a device the cookie vouches for as its own source and
never applies the per-account ceiling to it, so an attacker failing elsewhere cannot slow the owner
down on their own browser. Nothing is stored server-side; a forged or expired cookie is ignored.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core import signing

SALT = "user-service.known-device"
MAX_ACCOUNTS = 5


@dataclass(frozen=True)
class KnownDevice:
    device_id: str
    user_ids: frozenset[str] = field(default_factory=frozenset)


def known_device_read(value: str | None) -> KnownDevice | None:
    """The device a cookie value vouches for; None when absent, forged, expired or malformed."""
    if not value:
        return None
    try:
        payload: Any = signing.TimestampSigner(salt=SALT, sep=".").unsign_object(
            value, max_age=settings.KNOWN_DEVICE_TTL_S
        )
        device_id, user_ids = str(payload["d"]), payload["u"]
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    if not isinstance(user_ids, list):
        return None
    return KnownDevice(device_id=device_id, user_ids=frozenset(str(user_id) for user_id in user_ids))


def known_device_cookie_value(device: KnownDevice | None, *, user_id: str) -> str:
    """The cookie after ``user_id`` signed in on ``device`` (a new device id when there was none)."""
    device_id = device.device_id if device is not None else secrets.token_urlsafe(16)
    others = sorted(device.user_ids - {user_id}) if device is not None else []
    payload = {"d": device_id, "u": [user_id, *others][:MAX_ACCOUNTS]}
    return signing.TimestampSigner(salt=SALT, sep=".").sign_object(payload, compress=False)
