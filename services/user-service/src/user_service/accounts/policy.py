"""The rules on what a member may choose: usernames, passwords and the public profile's text.

The service functions apply them, so every caller (the API, a management command, a test) gets the
same answer in the shared error shape. The API's serializers check only the shape of the input
(types, lengths, the pattern the OpenAPI document shows) and take their limits from here and from
the models, so the two never disagree.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from urllib.parse import urlsplit

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from dbay_common.errors import Conflict, InvalidRequest
from user_service.accounts.models import USERNAME_MAX_LENGTH, Profile, User

# -- usernames -----------------------------------------------------------------------------------------

USERNAME_MIN_LENGTH = 3
USERNAME_PATTERN = r"^[A-Za-z0-9_]+$"
USERNAME_PATTERN_MESSAGE = "Use only letters, digits and underscores."
RESERVED_USERNAMES = frozenset(
    {
        "admin",
        "administrator",
        "root",
        "staff",
        "support",
        "help",
        "dbay",
        "system",
        "moderator",
        "me",
        "api",
        "security",
        "official",
        "null",
        "undefined",
        "anonymous",
    }
)


def _too_long(param: str, max_length: int) -> InvalidRequest:
    return _invalid(param, f"Ensure this field has no more than {max_length} characters.", code="max_length")


def _invalid(param: str, message: str, *, code: str = "invalid_field") -> InvalidRequest:
    """A 400 worded like the API's own field errors (``"<param>: <message>"``)."""
    return InvalidRequest(f"{param}: {message}", code=code, param=param)


def username_check(username: str) -> None:
    """400 for a name of the wrong length or with characters other than letters, digits and ``_``;
    409 ``username_taken`` for a reserved name (the same answer as a name in use, so the reserved
    list is not advertised)."""
    if len(username) < USERNAME_MIN_LENGTH:
        raise _invalid(
            "username", f"Ensure this field has at least {USERNAME_MIN_LENGTH} characters.", code="min_length"
        )
    if len(username) > USERNAME_MAX_LENGTH:
        raise _too_long("username", USERNAME_MAX_LENGTH)
    if re.fullmatch(USERNAME_PATTERN, username) is None:
        raise _invalid("username", USERNAME_PATTERN_MESSAGE)
    if username.lower() in RESERVED_USERNAMES:
        raise Conflict("This username is not available.", code="username_taken", param="username")


# -- passwords -----------------------------------------------------------------------------------------


def password_check(password: str, *, user: User, param: str) -> None:
    """400 ``weak_password`` (param ``param``) unless ``password`` passes ``AUTH_PASSWORD_VALIDATORS``
    for ``user`` (length, similarity to username and email, common, numeric, predictable)."""
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        raise InvalidRequest(" ".join(error.messages), code="weak_password", param=param) from None


# -- profile text --------------------------------------------------------------------------------------

PROFILE_FIELDS = ("display_name", "avatar_url", "location", "bio")


def _https_url_problem(value: str) -> str | None:
    if not value:
        return None
    try:
        URLValidator(schemes=["https"])(value)
    except ValidationError:
        return "Enter an https:// URL."
    parts = urlsplit(value)
    if parts.username or parts.password:
        return "The URL must not contain a user name or password."
    return None


def _single_line_problem(value: str) -> str | None:
    if any(unicodedata.category(character) in ("Cc", "Cf") for character in value):
        return "Control characters are not allowed."
    return None


def _text_problem(value: str) -> str | None:
    if any(unicodedata.category(character) == "Cc" and character not in "\n\t" for character in value):
        return "Control characters are not allowed."
    return None


#: Per profile field: the longest value and the check of its content (a reason, or None when fine).
_PROFILE_RULES: dict[str, tuple[int, Callable[[str], str | None]]] = {
    "display_name": (Profile.DISPLAY_NAME_MAX_LENGTH, _single_line_problem),
    "avatar_url": (Profile.AVATAR_URL_MAX_LENGTH, _https_url_problem),
    "location": (Profile.LOCATION_MAX_LENGTH, _single_line_problem),
    "bio": (Profile.BIO_MAX_LENGTH, _text_problem),
}


def profile_changes_clean(changes: Mapping[str, str | None]) -> dict[str, str]:
    """``changes`` as they are stored: ``None`` clears a field (stored as ``""``).

    400 (param: the field, checked in ``PROFILE_FIELDS`` order) for a value that is too long
    (``max_length``), a display name or location with control or format characters, a bio with
    control characters other than newline and tab, or an avatar URL that is not https or carries a
    user name or password (``invalid_field``). A name that is not a profile field is a programming
    error (``ValueError``): the API never passes one.
    """
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"not profile fields: {sorted(unknown)}")
    cleaned: dict[str, str] = {}
    for name in PROFILE_FIELDS:
        if name not in changes:
            continue
        value = changes[name] or ""
        max_length, problem_of = _PROFILE_RULES[name]
        if len(value) > max_length:
            raise _too_long(name, max_length)
        problem = problem_of(value)
        if problem is not None:
            raise _invalid(name, problem)
        cleaned[name] = value
    return cleaned
