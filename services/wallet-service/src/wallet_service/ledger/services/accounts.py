"""Writes of accounts: a user's wallet on first use, freezing and unfreezing."""

from __future__ import annotations

import uuid

from django.db import connection, transaction

from wallet_service.ledger.chart import USER_WALLET_CODE, PlatformAccount, user_wallet_account_id
from wallet_service.ledger.errors import AccountNotFound, InvalidTransfer
from wallet_service.ledger.models import Account
from wallet_service.ledger.services._prepare import require_uuid


def account_user_wallet_get_or_create(*, user_id: uuid.UUID) -> Account:
    """The wallet account of ``user_id``, created (empty, no-overdraft flag set) on first use.

    Safe under concurrency: ``INSERT ... ON CONFLICT DO NOTHING`` on the unique ``user_id``, then a
    read. The id is derived from the user id (:func:`~wallet_service.ledger.chart.user_wallet_account_id`).
    Locks nothing beyond the inserted row; emits no events.
    """
    require_uuid(user_id, "user_id")
    account_id = user_wallet_account_id(user_id)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO ledger_account (id, kind, code, user_id, debits_must_not_exceed_credits,
                is_frozen, frozen_reason, debits_posted, credits_posted, debits_pending,
                credits_pending, created_at)
            VALUES (%s, 'user_wallet', %s, %s, true, false, '', 0, 0, 0, 0, now())
            ON CONFLICT DO NOTHING
            """,
            [account_id, USER_WALLET_CODE, user_id],
        )
    return Account.objects.get(id=account_id)


def account_platform(code: str) -> Account:
    """The platform account ``code`` (``custody``, ``fee_revenue``, ...; see ``PlatformAccount``).

    Raises :class:`AccountNotFound` for an unknown code. Read-only.
    """
    try:
        account_id = PlatformAccount(code).account_id
    except ValueError:
        raise AccountNotFound(f"No platform account {code!r}.", param="platform") from None
    account = Account.objects.filter(id=account_id).first()
    if account is None:
        raise AccountNotFound(f"Platform account {code!r} is missing; run the migrations.", param="platform")
    return account


@transaction.atomic
def account_freeze(*, account_id: uuid.UUID, reason: str) -> Account:
    """Freeze an account for review: it can still be credited and its holds posted or voided, but
    nothing new can debit it (single or pending transfers), except corrections (``transfer_reverse``).

    Idempotent (freezing a frozen account updates the reason). One conditional UPDATE (row lock).
    """
    return _account_set_frozen(account_id=account_id, is_frozen=True, reason=reason)


@transaction.atomic
def account_unfreeze(*, account_id: uuid.UUID) -> Account:
    """Lift a freeze (after review). Idempotent; one UPDATE."""
    return _account_set_frozen(account_id=account_id, is_frozen=False, reason="")


def _account_set_frozen(*, account_id: uuid.UUID, is_frozen: bool, reason: str) -> Account:
    require_uuid(account_id, "account_id")
    if not isinstance(reason, str) or len(reason) > 200 or (is_frozen and not reason.strip()):
        raise InvalidTransfer("reason must be 1 to 200 characters.", param="reason")
    updated = Account.objects.filter(id=account_id).update(is_frozen=is_frozen, frozen_reason=reason)
    if not updated:
        raise AccountNotFound(param="account_id")
    return Account.objects.get(id=account_id)
