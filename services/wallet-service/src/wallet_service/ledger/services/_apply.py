"""Applying one prepared transfer, and answering a replay of its id (idempotency)."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction

from wallet_service.ledger.chart import EXPIRED_REASON
from wallet_service.ledger.errors import (
    AccountFrozen,
    AccountNotFound,
    ExceedsPendingAmount,
    InsufficientFunds,
    PendingTransferAlreadyPosted,
    PendingTransferAlreadyVoided,
    PendingTransferExpired,
    TransferConflict,
    TransferNotFound,
    TransferNotPending,
)
from wallet_service.ledger.models import Account, Transfer
from wallet_service.ledger.services import _statements
from wallet_service.ledger.services._prepare import Prepared
from wallet_service.ledger.services._statements import PENDING, POST_PENDING, SINGLE, fetch_one

# -- applying one transfer -----------------------------------------------------------------------------


class AlreadyExists(Exception):  # noqa: N818 - internal signal, never leaves this package
    """The transfer id is taken (the caller then decides: replay, conflict, or retry the group)."""


def _transfer_instance(**fields: Any) -> Transfer:
    transfer = Transfer(**fields)
    transfer._state.adding = False
    transfer._state.db = "default"
    return transfer


def _apply_create(item: Prepared, *, linked_group: uuid.UUID | None) -> Transfer:
    """Insert a single or pending transfer; raise its refusal, or :class:`AlreadyExists`."""
    assert item.amount_koinu is not None and item.debit_account_id and item.credit_account_id
    is_pending = item.kind == PENDING
    created_at, timeout_at, updated = fetch_one(
        _statements.CREATE_SQL,
        {
            "id": item.transfer_id,
            "debit": item.debit_account_id,
            "credit": item.credit_account_id,
            "amount": item.amount_koinu,
            "kind": item.kind,
            "timeout_s": item.timeout_s,
            "reason": item.reason,
            "reference": json.dumps(item.reference),
            "linked_group": linked_group,
            "corrects": item.corrects_id,
            "allow_frozen": item.allow_frozen,
            "posted": 0 if is_pending else item.amount_koinu,
            "pending": item.amount_koinu if is_pending else 0,
        },
    )
    if created_at is not None:
        assert updated == 2, "a transfer must update exactly its two accounts"
        return _transfer_instance(
            id=item.transfer_id,
            debit_account_id=item.debit_account_id,
            credit_account_id=item.credit_account_id,
            amount_koinu=item.amount_koinu,
            kind=item.kind,
            pending_id=None,
            timeout_at=timeout_at,
            reason=item.reason,
            reference=item.reference,
            linked_group=linked_group,
            corrects_id=item.corrects_id,
            created_at=created_at,
        )
    _raise_create_refusal(item)
    raise AssertionError("unreachable")


def _raise_create_refusal(item: Prepared) -> None:
    """Nothing was inserted: say why (reads only; a replay is signalled by :class:`AlreadyExists`).

    Inside a transaction the accounts are still locked; outside one the statement has committed
    and the reads may see later changes, which can only change the stated reason, never the fact
    that nothing was written.
    """
    if Transfer.objects.filter(id=item.transfer_id).exists():
        raise AlreadyExists
    accounts = {
        account.id: account
        for account in Account.objects.filter(id__in=[item.debit_account_id, item.credit_account_id])
    }
    debit = accounts.get(item.debit_account_id)  # type: ignore[arg-type]
    if debit is None:
        raise AccountNotFound("The debit account does not exist.", param="debit_account_id")
    if item.credit_account_id not in accounts:
        raise AccountNotFound("The credit account does not exist.", param="credit_account_id")
    if debit.is_frozen and not item.allow_frozen:
        raise AccountFrozen(param="debit_account_id")
    raise InsufficientFunds(param="amount_koinu")


def _apply_resolve(item: Prepared, *, linked_group: uuid.UUID | None) -> Transfer:
    """Insert a post or void of a pending transfer; raise its refusal, or :class:`AlreadyExists`."""
    assert item.pending_id is not None
    is_post = item.kind == POST_PENDING
    debit, credit, amount, reason, reference, created_at, updated = fetch_one(
        _statements.RESOLVE_SQL,
        {
            "id": item.transfer_id,
            "pending_id": item.pending_id,
            "kind": item.kind,
            "is_post": is_post,
            "amount": item.amount_koinu,
            "check_expiry": item.check_expiry,
            "reason": item.reason,
            "reference": None if item.reference is None else json.dumps(item.reference),
            "linked_group": linked_group,
        },
    )
    if created_at is not None:
        assert updated == 2, "a post or void must update exactly its two accounts"
        return _transfer_instance(
            id=item.transfer_id,
            debit_account_id=debit,
            credit_account_id=credit,
            amount_koinu=amount,
            kind=item.kind,
            pending_id=item.pending_id,
            timeout_at=None,
            reason=reason,
            reference=reference if isinstance(reference, dict) else json.loads(reference),
            linked_group=linked_group,
            corrects_id=None,
            created_at=created_at,
        )
    _raise_resolve_refusal(item)
    raise AssertionError("unreachable")


def _raise_resolve_refusal(item: Prepared) -> None:
    if Transfer.objects.filter(id=item.transfer_id).exists():
        raise AlreadyExists
    pending = Transfer.objects.filter(id=item.pending_id).first()
    if pending is None:
        raise TransferNotFound("The pending transfer does not exist.", param="pending_id")
    if pending.kind != PENDING:
        raise TransferNotPending(param="pending_id")
    resolution = Transfer.objects.filter(pending_id=item.pending_id).first()
    if resolution is not None:
        if resolution.kind == POST_PENDING:
            raise PendingTransferAlreadyPosted(param="pending_id")
        if resolution.reason == EXPIRED_REASON:
            raise PendingTransferExpired(param="pending_id")
        raise PendingTransferAlreadyVoided(param="pending_id")
    if item.check_expiry and pending.timeout_at is not None and pending.timeout_at <= _database_now():
        raise PendingTransferExpired(param="pending_id")
    if item.amount_koinu is not None and item.amount_koinu > pending.amount_koinu:
        raise ExceedsPendingAmount(param="amount_koinu")
    # The pending transfer exists, so its accounts do (foreign keys); nothing else can refuse.
    raise AssertionError(f"post/void of {item.pending_id} refused for no known reason")


def _database_now() -> datetime:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement_timestamp()")
        row = cursor.fetchone()
    assert row is not None
    now: datetime = row[0]
    return now


def apply(item: Prepared, *, linked_group: uuid.UUID | None) -> Transfer:
    try:
        if item.kind in (SINGLE, PENDING):
            return _apply_create(item, linked_group=linked_group)
        return _apply_resolve(item, linked_group=linked_group)
    except IntegrityError as error:
        # The CHECK constraints are the last line: they refuse what the statement's own decision
        # should already have refused. Reaching here means the decision was wrong; still a refusal.
        if "ledger_account_debits_must_not_exceed_credits" in str(error):
            raise InsufficientFunds(param="amount_koinu") from error
        raise


# -- idempotent replay ---------------------------------------------------------------------------------


def same_contents(existing: Transfer, item: Prepared, *, linked_group: uuid.UUID | None) -> bool:
    """Whether ``existing`` is what ``item`` would have written (its id's first use)."""
    if existing.kind != item.kind or existing.linked_group != linked_group:
        return False
    if item.kind in (SINGLE, PENDING):
        timeout = None if existing.timeout_at is None else existing.timeout_at - existing.created_at
        return (
            existing.debit_account_id == item.debit_account_id
            and existing.credit_account_id == item.credit_account_id
            and existing.amount_koinu == item.amount_koinu
            and existing.reason == item.reason
            and existing.reference == item.reference
            and existing.corrects_id == item.corrects_id
            and timeout == (None if item.timeout_s is None else timedelta(seconds=item.timeout_s))
        )
    if existing.pending_id != item.pending_id:
        return False
    if item.reason is not None and existing.reason != item.reason:
        return False
    if item.reference is not None and existing.reference != item.reference:
        return False
    if item.kind == POST_PENDING:
        if item.amount_koinu is None:
            pending_amount = (
                Transfer.objects.filter(id=item.pending_id).values_list("amount_koinu", flat=True).first()
            )
            return existing.amount_koinu == pending_amount
        return existing.amount_koinu == item.amount_koinu
    return True


def replay(item: Prepared, *, linked_group: uuid.UUID | None) -> Transfer:
    existing = Transfer.objects.get(id=item.transfer_id)
    if not same_contents(existing, item, linked_group=linked_group):
        raise TransferConflict(param="transfer_id")
    return existing


def apply_or_replay(item: Prepared) -> Transfer:
    """Apply one unlinked transfer, or return it if its id was already used for the same thing.

    Atomic by construction: the transfer is one statement. Inside a caller's transaction it runs
    in a savepoint (a refusal leaves the caller's transaction usable, as ``@transaction.atomic``
    would); outside one, the statement is its own transaction, which saves the BEGIN and COMMIT
    round trips and holds the account locks one round trip less. The reads that explain a refusal
    or find a replay come after it and change nothing.
    """
    if connection.in_atomic_block:
        with transaction.atomic():
            return _apply_or_replay_statement(item)
    return _apply_or_replay_statement(item)


def _apply_or_replay_statement(item: Prepared) -> Transfer:
    try:
        return apply(item, linked_group=None)
    except AlreadyExists:
        return replay(item, linked_group=None)
