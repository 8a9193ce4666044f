"""TOTP (RFC 6238: 6 digits, 30 s, SHA-1, what every authenticator app speaks) and recovery codes."""

from __future__ import annotations

import re
import secrets
import time

import pyotp
from django.utils.crypto import salted_hmac

ISSUER = "dBay"
VALID_WINDOW_STEPS = 1  # accept the previous and next 30 s step too (clock drift, typing time)
RECOVERY_CODE_COUNT = 10
# No 0/o, 1/l/i: codes are read off paper.
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_RECOVERY_GROUP = 5
_TOTP_CODE_RE = re.compile(r"^\d{6}$")
_RECOVERY_CODE_RE = re.compile(rf"^[{_RECOVERY_ALPHABET}]{{{2 * _RECOVERY_GROUP}}}$")


def new_secret() -> str:
    """A random base32 secret of 160 bits (RFC 4226's recommended key length)."""
    return pyotp.random_base32(length=32)


def provisioning_uri(secret: str, *, account_name: str) -> str:
    """The ``otpauth://totp/dBay:<account>?secret=...&issuer=dBay`` URI the web app shows as a QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=account_name, issuer_name=ISSUER)


def normalize_code(code: str) -> str:
    """Codes as typed: spaces and hyphens dropped, lower case (recovery codes are case-insensitive)."""
    return re.sub(r"[\s-]", "", code).lower()


def is_totp_code(code: str) -> bool:
    return bool(_TOTP_CODE_RE.match(code))


def is_recovery_code(code: str) -> bool:
    return bool(_RECOVERY_CODE_RE.match(code))


def matching_step(secret: str, code: str, *, after_step: int, now: float | None = None) -> int | None:
    """The time step ``code`` is valid for, if it is valid now and newer than ``after_step``.

    Refusing steps at or before the last accepted one makes every code single-use: a code seen over
    someone's shoulder cannot be replayed within its 30-90 s of validity.
    """
    if not is_totp_code(code):
        return None
    try:
        step = pyotp.TOTP(secret).verify_and_get_timecode(
            code, for_time=time.time() if now is None else now, valid_window=VALID_WINDOW_STEPS
        )
    except pyotp.OTPVerificationError:
        return None
    return step if step > after_step else None


def new_recovery_codes() -> list[str]:
    """Ten fresh codes like ``k3m9p-q2xrt`` (~49 bits each)."""
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(2 * _RECOVERY_GROUP))
        codes.append(f"{raw[:_RECOVERY_GROUP]}-{raw[_RECOVERY_GROUP:]}")
    return codes


def recovery_code_hash(code: str) -> str:
    """Keyed hash of a normalized recovery code (high-entropy codes need no slow hash)."""
    return salted_hmac("user-service.recovery-code", normalize_code(code), algorithm="sha256").hexdigest()
