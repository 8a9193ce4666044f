"""Password strength: Django's validators plus a check for the patterns breach lists are full of.

Offline by design (no call to a breach API at sign-up): Django's ``CommonPasswordValidator`` rejects
the 20,000 most common passwords verbatim; :class:`PredictablePasswordValidator` catches what people
do to those to pass naive rules (``P@ssw0rd2024!``, ``Dragon!!!!!!``), keyboard walks and sequences
(``qwertyuiop``, ``1234567890abc``), one repeated character, and passwords built around the
username or the email's local part.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError

_LEET = str.maketrans(
    {"@": "a", "4": "a", "3": "e", "1": "i", "!": "i", "0": "o", "$": "s", "5": "s", "7": "t"}
)
_SEQUENCES = (
    "abcdefghijklmnopqrstuvwxyz",
    "0123456789",
    "1234567890",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "qwertzuiop",
    "azertyuiop",
    "1qaz2wsx3edc",
    "zaq12wsx",
)
_MIN_SEQUENCE_RUN = 4
_MAX_OTHER_CHARACTERS = 3


class TunedArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id with OWASP's recommended parameters: 19 MiB, 2 passes, 1 lane (~20 ms here).

    Django's defaults (100 MiB, 2 passes, 8 lanes) cost ~190 ms and 100 MiB per sign-in, so 16
    concurrent sign-ins on a small pod need 1.6 GB and a burst of them is a cheap denial of service.
    OWASP's parameter sets are chosen to cost an attacker the same; this one is the lightest in memory.
    Same algorithm name, so hashes made with other parameters still verify and are re-hashed with
    these at the next sign-in (Django's ``must_update``).
    """

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1


@functools.cache
def _common_passwords() -> frozenset[str]:
    return frozenset(CommonPasswordValidator().passwords)


def _core_words(password: str) -> set[str]:
    """The password stripped of the decorations people add: case, leetspeak, leading/trailing
    digits and symbols, a repeated suffix."""
    lowered = password.lower()
    candidates = {lowered, lowered.translate(_LEET)}
    cores = set()
    for candidate in candidates:
        stripped = re.sub(r"^[\W\d_]+|[\W\d_]+$", "", candidate)
        cores.update({candidate, stripped, stripped.translate(_LEET)})
    return {core for core in cores if core}


def _is_mostly_sequence(text: str) -> bool:
    """True when all but at most 3 characters of ``text`` are runs (4+) of consecutive characters
    from a known sequence (alphabet, digits, keyboard rows), forwards or backwards."""
    lowered = text.lower()
    position = others = 0
    while position < len(lowered):
        best = 0
        for sequence in _SEQUENCES:
            for source in (sequence, sequence[::-1]):
                length = 0
                while (
                    position + length < len(lowered) and lowered[position : position + length + 1] in source
                ):
                    length += 1
                best = max(best, length)
        if best >= _MIN_SEQUENCE_RUN:
            position += best
        else:
            others += 1
            position += 1
    return others <= _MAX_OTHER_CHARACTERS


class PredictablePasswordValidator:
    """Reject passwords a guessing attack tries early (see the module docstring). Error code
    ``password_predictable``; the API reports every password rejection as ``weak_password``."""

    def validate(self, password: str, user: Any = None) -> None:
        max_length = int(getattr(settings, "PASSWORD_MAX_LENGTH", 128))
        if len(password) > max_length:
            raise ValidationError(
                f"This password is too long (at most {max_length} characters).", code="password_too_long"
            )
        if len(set(password)) <= 2:
            raise ValidationError("This password repeats one or two characters.", code="password_predictable")
        if _is_mostly_sequence(password):
            raise ValidationError(
                "This password is a keyboard or alphabet sequence.", code="password_predictable"
            )
        common = _common_passwords()
        # A common word counts when it is most of the password (not "abc" inside a long one).
        if any(core in common and 2 * len(core) >= len(password) for core in _core_words(password)):
            raise ValidationError(
                "This password is a common password with a few changes.", code="password_predictable"
            )
        lowered = password.lower()
        for attribute in ("username", "email"):
            value = str(getattr(user, attribute, "") or "").lower()
            if attribute == "email":
                value = value.split("@", 1)[0]
            if len(value) >= 4 and value in lowered:
                what = "username" if attribute == "username" else "email address"
                raise ValidationError(
                    f"This password contains your {what}.",
                    code="password_predictable",
                )

    def get_help_text(self) -> str:
        return (
            "Your password can't be a common password with small changes, a keyboard sequence, or contain "
            "your username or email."
        )
