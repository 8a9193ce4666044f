"""The mails user-service sends; each is run by a Celery task (``accounts/tasks.py``) that holds only
the user id or the address typed, so the signed link is made when the mail is sent and no token sits
in the broker. Mails that a request for an address triggers (reset, verification again) look the
address up here, in the worker, so the request takes the same path whether or not it has an account.
"""

from __future__ import annotations

import uuid

from django.db.models.functions import Lower

from user_service.accounts import links, throttling
from user_service.accounts.models import User

#: At most one "someone tried to register with your address" mail per account in this period.
REGISTRATION_ATTEMPT_MAIL_INTERVAL_S = 3600


def _active_user_by_email(email: str) -> User | None:
    return User.objects.annotate(key=Lower("email")).filter(key=email.lower(), is_active=True).first()


def user_verification_email_send(*, user_id: uuid.UUID) -> bool:
    """Send the verification mail (SMTP, Django's backend) if the address is still unverified.

    Returns whether a mail was sent. Run by a Celery task; raises on SMTP failure so it retries.
    """
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or user.is_email_verified:
        return False
    links.verification_email(user).send(fail_silently=False)
    return True


def user_verification_email_send_to(*, email: str) -> bool:
    """The verification mail again, if ``email`` (normalised) is an unverified active account's."""
    user = _active_user_by_email(email)
    if user is None or user.is_email_verified:
        return False
    links.verification_email(user).send(fail_silently=False)
    return True


def user_password_reset_email_send_to(*, email: str) -> bool:
    """The reset mail, if ``email`` (normalised) is an active account's (run by a Celery task; raises
    on SMTP failure so it retries). Returns whether a mail was sent."""
    user = _active_user_by_email(email)
    if user is None:
        return False
    links.password_reset_email(user).send(fail_silently=False)
    return True


def user_registration_attempt_email_send(*, user_id: uuid.UUID) -> bool:
    """Tell the owner of an address that someone tried to register with it (at most once an hour per
    account, so sign-up attempts cannot flood a mailbox). Returns whether a mail was sent."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    if not throttling.notice_once(
        f"registration-attempt:{user.id}", ttl_s=REGISTRATION_ATTEMPT_MAIL_INTERVAL_S
    ):
        return False
    links.registration_attempt_email(user).send(fail_silently=False)
    return True


def user_sign_in_throttled_email_send(*, user_id: uuid.UUID, ip_address: str) -> bool:
    """Tell the owner that failed sign-ins from an unfamiliar place are being slowed down (queued by
    ``common.sign_in_failure``, which allows one an hour). Returns whether a mail was sent."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    links.sign_in_throttled_email(user, ip_address=ip_address).send(fail_silently=False)
    return True
