"""Registration and email verification.

The verification mail is sent by a Celery task queued after commit (``enqueue_on_commit``): a dead
broker never fails the request, and the member can ask for the mail again. Neither registering nor
asking for the mail again says whether an address has an account (see ``user_register``).
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from dbay_common.django.celery import enqueue_on_commit
from dbay_common.errors import Conflict, InvalidRequest
from user_service.accounts import links
from user_service.accounts.events import user_email_verified_publish, user_registered_publish
from user_service.accounts.models import Profile, User
from user_service.accounts.policy import password_check, username_check
from user_service.accounts.services.common import normalize_email

if TYPE_CHECKING:
    from celery import Task


def _verification_email_task() -> Task:
    # Imported when used: tasks.py imports this package.
    from user_service.accounts.tasks import send_verification_email_task

    return send_verification_email_task


def _registration_attempt_notify(user_id: uuid.UUID) -> None:
    """Queue the "someone tried to register with your address" mail to the address's owner."""
    from user_service.accounts.tasks import send_registration_attempt_email_task

    enqueue_on_commit(send_registration_attempt_email_task, str(user_id))


def _user_id_by_email(email: str) -> uuid.UUID | None:
    user_id: uuid.UUID | None = (
        User.objects.annotate(key=Lower("email"))
        .filter(key=email.lower())
        .values_list("id", flat=True)
        .first()
    )
    return user_id


def _username_taken() -> Conflict:
    return Conflict("This username is taken.", code="username_taken", param="username")


def user_register(*, email: str, username: str, password: str) -> User | None:
    """Create a member (buyer and seller) with an empty profile; email not yet verified.

    The answer never says whether the address already has an account (account enumeration): when it
    does, nothing is created, the owner is mailed "someone tried to register with your address", and
    None is returned; the caller answers exactly as for a new account. The password is hashed on both
    paths so they do the same work. Usernames are public (seller pages), so a taken one is still
    reported: 409 ``username_taken``, checked before the address so that answer says nothing about it.

    Invariants: email and username unique regardless of case (database constraints; a concurrent
    duplicate address is answered like any taken address, a concurrent duplicate username with 409);
    the username follows ``policy.username_check`` and the password ``policy.password_check`` (400
    ``weak_password``). Emits ``user.registered``; after commit queues the verification mail. Nothing
    is written on any failure.
    """
    email = normalize_email(email)
    username = username.strip()
    username_check(username)
    candidate = User(email=email, username=username)
    password_check(password, user=candidate, param="password")
    if User.objects.annotate(key=Lower("username")).filter(key=username.lower()).exists():
        raise _username_taken()
    candidate.set_password(password)
    owner_id = _user_id_by_email(email)
    if owner_id is not None:
        _registration_attempt_notify(owner_id)
        return None
    try:
        with transaction.atomic():
            candidate.save(force_insert=True)
            Profile.objects.create(user=candidate)
            user_registered_publish(candidate)
            enqueue_on_commit(_verification_email_task(), str(candidate.id))
    except IntegrityError as error:
        if "accounts_user_email_ci_uniq" in str(error):
            owner_id = _user_id_by_email(email)
            if owner_id is not None:
                _registration_attempt_notify(owner_id)
            return None
        if "accounts_user_username_ci_uniq" in str(error):
            raise _username_taken() from None
        raise
    return User.objects.select_related("profile").get(pk=candidate.pk)


@transaction.atomic
def user_email_verify(*, token: str) -> User:
    """Mark the address in ``token`` verified. Locks the user row.

    400 ``invalid_token``/``token_expired`` for a bad link, or one for an address the account no
    longer has. Verifying again is harmless (no second event). Emits ``user.email_verified``.
    """
    claims = links.read_email_verification_token(token)
    user = User.objects.select_for_update().filter(pk=claims.user_id, is_active=True).first()
    if user is None or not links.is_verification_for(claims, user):
        raise InvalidRequest("This link is invalid.", code="invalid_token", param="token")
    if user.email_verified_at is None:
        email_verified_mark(user)
    return User.objects.select_related("profile").get(pk=user.pk)


def email_verified_mark(user: User) -> None:
    """Record that the member reads mail at their address; emits ``user.email_verified``. Call with
    the user row locked and ``email_verified_at`` still empty."""
    user.email_verified_at = timezone.now()
    user.save(update_fields=["email_verified_at"])
    user_email_verified_publish(user)


def user_verification_resend(*, email: str) -> None:
    """Queue another verification mail for ``email``; the worker sends it if the address belongs to
    an unverified account (``mail.user_verification_email_send_to``).

    Nothing here reads the database, so known and unknown addresses take the same path and time;
    the caller always answers 202.
    """
    from user_service.accounts.tasks import send_verification_email_to_address_task

    enqueue_on_commit(send_verification_email_to_address_task, normalize_email(email))
