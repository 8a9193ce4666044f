"""Passwords: the reset link (forgot, reset) and the signed-in change."""

from __future__ import annotations

import uuid

from django.db import transaction
from django.utils import timezone

from dbay_common.django.celery import enqueue_on_commit
from dbay_common.errors import InvalidRequest
from user_service.accounts import links
from user_service.accounts.models import Session, User
from user_service.accounts.policy import password_check
from user_service.accounts.services.common import normalize_email
from user_service.accounts.services.registration import email_verified_mark
from user_service.accounts.services.sessions import sessions_revoke_all


def user_password_forgot(*, email: str) -> None:
    """Queue a reset mail for ``email``; the worker sends it if the address belongs to an active
    account (``mail.user_password_reset_email_send_to``).

    Nothing here reads the database, so known and unknown addresses take the same path and time
    (account enumeration); the caller always answers 202.
    """
    # Imported when used: tasks.py imports this package.
    from user_service.accounts.tasks import send_password_reset_email_task

    enqueue_on_commit(send_password_reset_email_task, normalize_email(email))


def user_password_reset(*, token: str, new_password: str) -> None:
    """Set a new password from a reset link. Locks the user row.

    The link is single-use (it is bound to the old password hash). Every session of the account is
    revoked (``session.revoked`` for each), sign-in slow-downs start afresh (they belong to the password
    they were counting against), and the email counts as verified (the link proved the
    member reads it; emits ``user.email_verified`` if it was not).
    """
    claims = links.read_password_reset_token(token)
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=claims.user_id, is_active=True).first()
        if user is None or not links.is_reset_for(claims, user):
            raise InvalidRequest(
                "This link is invalid or was already used.", code="invalid_token", param="token"
            )
        password_check(new_password, user=user, param="new_password")
        user.set_password(new_password)
        user.password_changed_at = timezone.now()
        user.save(update_fields=["password", "password_changed_at"])
        sessions_revoke_all(user_id=user.id, reason=Session.RevokeReason.PASSWORD_RESET)
        if user.email_verified_at is None:
            email_verified_mark(user)


@transaction.atomic
def user_password_change(
    *, user_id: uuid.UUID, session_id: uuid.UUID | None, current_password: str, new_password: str
) -> None:
    """Change the password of a signed-in member; revokes every other session (``session.revoked``
    for each), keeping the caller's. Locks the user row.

    400 ``invalid_credentials`` (param ``current_password``) for a wrong current password,
    400 ``weak_password`` for a weak new one or the same one again.
    """
    user = User.objects.select_for_update().get(pk=user_id)
    if not user.check_password(current_password):
        raise InvalidRequest(
            "The current password is incorrect.", code="invalid_credentials", param="current_password"
        )
    if new_password == current_password:
        raise InvalidRequest(
            "The new password must differ from the current one.", code="weak_password", param="new_password"
        )
    password_check(new_password, user=user, param="new_password")
    user.set_password(new_password)
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "password_changed_at"])
    sessions_revoke_all(
        user_id=user.id, reason=Session.RevokeReason.PASSWORD_CHANGED, keep_session_id=session_id
    )
