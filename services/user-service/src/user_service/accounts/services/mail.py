"""The mails user-service sends; each is run by a Celery task (``accounts/tasks.py``) that holds only
the user id, so the signed link is made when the mail is sent and no token sits in the broker."""

from __future__ import annotations

import uuid

from user_service.accounts import links
from user_service.accounts.models import User


def user_verification_email_send(*, user_id: uuid.UUID) -> bool:
    """Send the verification mail (SMTP, Django's backend) if the address is still unverified.

    Returns whether a mail was sent. Run by a Celery task; raises on SMTP failure so it retries.
    """
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or user.is_email_verified:
        return False
    links.verification_email(user).send(fail_silently=False)
    return True


def user_password_reset_email_send(*, user_id: uuid.UUID) -> bool:
    """Send the reset mail (run by a Celery task; raises on SMTP failure so it retries)."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    links.password_reset_email(user).send(fail_silently=False)
    return True
