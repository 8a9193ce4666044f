"""The signed, expiring tokens in email links (verify an address, reset a password) and the mails.

Tokens are Django signatures (HMAC-SHA256 with ``DJANGO_SECRET_KEY``, a salt per purpose, a
timestamp checked against a maximum age), so nothing is stored for them:

* email verification: ``{user id, email}``; valid ``EMAIL_VERIFICATION_TTL_S``; a token for an
  address the account no longer has is refused;
* password reset: ``{user id, fingerprint of the current password hash}``; valid
  ``PASSWORD_RESET_TTL_S`` and single-use, because using it changes the password hash and with it
  the fingerprint (so does any other password change).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.utils.crypto import constant_time_compare, salted_hmac

from dbay_common.errors import InvalidRequest
from user_service.accounts.models import User

VERIFY_EMAIL_SALT = "user-service.verify-email"
PASSWORD_RESET_SALT = "user-service.password-reset"


@dataclass(frozen=True)
class LinkToken:
    user_id: uuid.UUID
    value: str  # the email (verification) or the password fingerprint (reset)


def _password_fingerprint(user: User) -> str:
    return salted_hmac(
        PASSWORD_RESET_SALT, f"{user.password}|{user.password_changed_at.isoformat()}"
    ).hexdigest()[:32]


def _signer(salt: str) -> signing.TimestampSigner:
    # "." instead of Django's ":" separator: the token then needs no escaping in a URL.
    return signing.TimestampSigner(salt=salt, sep=".")


def _dump(payload: dict[str, str], *, salt: str) -> str:
    return _signer(salt).sign_object(payload, compress=False)


def _load(token: str, *, salt: str, max_age_s: int, field: str) -> LinkToken:
    try:
        payload: Any = _signer(salt).unsign_object(token, max_age=max_age_s)
    except signing.SignatureExpired:
        raise InvalidRequest(
            "This link has expired; ask for a new one.", code="token_expired", param="token"
        ) from None
    except signing.BadSignature:
        raise InvalidRequest("This link is invalid.", code="invalid_token", param="token") from None
    try:
        return LinkToken(user_id=uuid.UUID(payload["u"]), value=str(payload[field]))
    except (KeyError, TypeError, ValueError):
        raise InvalidRequest("This link is invalid.", code="invalid_token", param="token") from None


def email_verification_token(user: User) -> str:
    return _dump({"u": str(user.id), "e": user.email.lower()}, salt=VERIFY_EMAIL_SALT)


def read_email_verification_token(token: str) -> LinkToken:
    """The user id and email a verification token vouches for; 400 ``invalid_token``/``token_expired``."""
    return _load(token, salt=VERIFY_EMAIL_SALT, max_age_s=settings.EMAIL_VERIFICATION_TTL_S, field="e")


def is_verification_for(token: LinkToken, user: User) -> bool:
    return constant_time_compare(token.value, user.email.lower())


def password_reset_token(user: User) -> str:
    return _dump({"u": str(user.id), "p": _password_fingerprint(user)}, salt=PASSWORD_RESET_SALT)


def read_password_reset_token(token: str) -> LinkToken:
    """The user id and password fingerprint of a reset token; 400 ``invalid_token``/``token_expired``."""
    return _load(token, salt=PASSWORD_RESET_SALT, max_age_s=settings.PASSWORD_RESET_TTL_S, field="p")


def is_reset_for(token: LinkToken, user: User) -> bool:
    """True while the user's password is the one the token was issued against (single use)."""
    return constant_time_compare(token.value, _password_fingerprint(user))


def web_link(path: str, token: str) -> str:
    """``PUBLIC_WEB_URL`` + ``path`` + ``?token=...`` (the web app's page that handles the link)."""
    return f"{settings.PUBLIC_WEB_URL}{path}?{urlencode({'token': token})}"


def _hours(seconds: int) -> str:
    hours = max(1, round(seconds / 3600))
    return f"{hours} hour{'s' if hours != 1 else ''}"


def verification_email(user: User) -> EmailMessage:
    link = web_link("/verify-email", email_verification_token(user))
    body = (
        f"Hello {user.username},\n\n"
        "Please confirm your email address for dBay by opening this link:\n\n"
        f"{link}\n\n"
        f"The link works for {_hours(settings.EMAIL_VERIFICATION_TTL_S)}. If you did not create a dBay "
        "account, ignore this message.\n\n— dBay\n"
    )
    return EmailMessage(subject="Confirm your email address for dBay", body=body, to=[user.email])


def password_reset_email(user: User) -> EmailMessage:
    link = web_link("/reset-password", password_reset_token(user))
    body = (
        f"Hello {user.username},\n\n"
        "Someone (hopefully you) asked to reset the password of your dBay account. Choose a new "
        "password here:\n\n"
        f"{link}\n\n"
        f"The link works for {_hours(settings.PASSWORD_RESET_TTL_S)} and only once. If you did not ask, "
        "ignore this message: your password stays as it is.\n\n— dBay\n"
    )
    return EmailMessage(subject="Reset your dBay password", body=body, to=[user.email])


def registration_attempt_email(user: User) -> EmailMessage:
    """To the owner of an address someone tried to register again (registration answers the same
    whether or not the address is taken, so the owner hears of it here instead)."""
    body = (
        f"Hello {user.username},\n\n"
        "Someone just tried to create a new dBay account with your email address. You already have "
        "an account with it, so no new account was made.\n\n"
        f"If it was you, sign in as {user.username}: {settings.PUBLIC_WEB_URL}/sign-in\n"
        f"Forgot your password? Choose a new one here: {settings.PUBLIC_WEB_URL}/forgot-password\n\n"
        "If it was not you, you need not do anything: your account is unchanged.\n\n— dBay\n"
    )
    return EmailMessage(
        subject="Someone tried to sign up with your email address", body=body, to=[user.email]
    )


def sign_in_throttled_email(user: User, *, ip_address: str) -> EmailMessage:
    """To the owner when failed sign-ins from a device or network their account has not used start
    being slowed down (at most once an hour)."""
    where = f" (network address {ip_address})" if ip_address else ""
    body = (
        f"Hello {user.username},\n\n"
        "Someone has been trying to sign in to your dBay account with the wrong password from a device "
        f"or network you have not signed in from before{where}. We are now making them wait longer "
        "between attempts.\n\n"
        "You can still sign in as usual from your own devices. If this was you, just wait a moment and "
        "try again. If it was not you, your password has not been guessed, but we suggest choosing a "
        f"stronger one and turning on two-step sign-in: {settings.PUBLIC_WEB_URL}/forgot-password\n\n— dBay\n"
    )
    subject = "Failed sign-in attempts on your dBay account"
    return EmailMessage(subject=subject, body=body, to=[user.email])
