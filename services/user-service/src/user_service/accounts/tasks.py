"""Celery entry points for user-service. Each task only parses its arguments and calls a service.

Mail tasks carry the user id, or the address a member typed (the worker looks it up, so the request
that queued it says nothing about whether the address has an account): the signed link is made by
the worker when it sends, so no token ever sits in the broker.
"""

import smtplib
import uuid
from datetime import timedelta

from celery import shared_task

from user_service.accounts import services
from user_service.schedules import AUTH_PURGE_TASK_NAME

_MAIL_RETRY = {
    "autoretry_for": (smtplib.SMTPException, OSError),
    "retry_backoff": 5,
    "retry_backoff_max": 300,
    "max_retries": 8,
}


@shared_task(name="user_service.send_verification_email", ignore_result=True, **_MAIL_RETRY)
def send_verification_email_task(user_id: str) -> bool:
    return services.user_verification_email_send(user_id=uuid.UUID(user_id))


@shared_task(name="user_service.send_verification_email_to_address", ignore_result=True, **_MAIL_RETRY)
def send_verification_email_to_address_task(email: str) -> bool:
    return services.user_verification_email_send_to(email=email)


@shared_task(name="user_service.send_password_reset_email_to_address", ignore_result=True, **_MAIL_RETRY)
def send_password_reset_email_task(email: str) -> bool:
    return services.user_password_reset_email_send_to(email=email)


@shared_task(name="user_service.send_registration_attempt_email", ignore_result=True, **_MAIL_RETRY)
def send_registration_attempt_email_task(user_id: str) -> bool:
    return services.user_registration_attempt_email_send(user_id=uuid.UUID(user_id))


@shared_task(name="user_service.send_sign_in_throttled_email", ignore_result=True, **_MAIL_RETRY)
def send_sign_in_throttled_email_task(user_id: str, ip_address: str) -> bool:
    return services.user_sign_in_throttled_email_send(user_id=uuid.UUID(user_id), ip_address=ip_address)


#: Ended sessions are kept this long (the member's session list no longer shows them; support may).
AUTH_RECORDS_KEPT_FOR = timedelta(days=30)


@shared_task(name=AUTH_PURGE_TASK_NAME, ignore_result=True)
def purge_auth_records_task() -> int:
    result = services.auth_records_purge(older_than=AUTH_RECORDS_KEPT_FOR)
    return result.sessions + result.login_challenges
