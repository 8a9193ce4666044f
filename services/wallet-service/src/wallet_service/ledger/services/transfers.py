"""Single and two-phase transfers: create, post (optionally onward), void, replace a hold."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from django.db import transaction

from wallet_service.ledger.chart import onward_transfer_id, replacement_void_id
from wallet_service.ledger.errors import ApiError, InvalidTransfer, TransferNotFound, TransferNotPending
from wallet_service.ledger.models import Transfer
from wallet_service.ledger.services._apply import apply_or_replay
from wallet_service.ledger.services._prepare import TransferSpec, prepare, require_uuid
from wallet_service.ledger.services._statements import PENDING, SINGLE
from wallet_service.ledger.services.linked import apply_group


def transfer_create(
    *,
    transfer_id: uuid.UUID,
    debit_account_id: uuid.UUID,
    credit_account_id: uuid.UUID,
    amount_koinu: int,
    reason: str,
    reference: Mapping[str, Any] | None = None,
    pending: bool = False,
    timeout_s: int | None = None,
) -> Transfer:
    """Move ``amount_koinu`` from the debit to the credit account, or reserve it (``pending=True``).

    Invariants: amount > 0, accounts differ and exist, the debit account is not frozen, and a
    no-overdraft account keeps ``debits_posted + debits_pending <= credits_posted`` (also a CHECK).
    A pending transfer with ``timeout_s`` is voided by :func:`transfers_void_expired` after that many
    seconds unless posted or voided first.

    Idempotent on ``transfer_id``: same contents → the recorded transfer, unchanged; different
    contents → :class:`TransferConflict`. Refusals: :class:`InsufficientFunds`,
    :class:`AccountFrozen`, :class:`AccountNotFound`, :class:`InvalidTransfer`.

    Locks both accounts (``FOR NO KEY UPDATE``, in id order) in the single statement that applies
    the transfer. Emits no events.
    """
    item = prepare(
        TransferSpec(
            transfer_id=transfer_id,
            kind=PENDING if pending else SINGLE,
            debit_account_id=debit_account_id,
            credit_account_id=credit_account_id,
            amount_koinu=amount_koinu,
            reason=reason,
            reference=reference,
            timeout_s=timeout_s,
        )
    )
    return apply_or_replay(item)


def transfer_post_pending(
    *,
    transfer_id: uuid.UUID,
    pending_id: uuid.UUID,
    amount_koinu: int | None = None,
    credit_account_id: uuid.UUID | None = None,
) -> Transfer:
    """Post a pending transfer: all of it (``amount_koinu=None``) or part, releasing the rest.

    TigerBeetle semantics: the post moves money between the pending transfer's own accounts. Given
    ``credit_account_id`` (different from the pending transfer's credit account), the posted amount
    then moves on from that account to ``credit_account_id`` in a second transfer linked to the post
    (id :func:`~wallet_service.ledger.chart.onward_transfer_id` of ``transfer_id``), both or neither;
    the ledger thus shows e.g. user → bid_holds (post) and bid_holds → order_escrow (onward).

    Refusals: :class:`TransferNotFound`, :class:`TransferNotPending`,
    :class:`PendingTransferAlreadyPosted` / ``AlreadyVoided`` / ``Expired`` (a pending transfer
    resolves once), :class:`ExceedsPendingAmount`. Posting is allowed on a frozen account: the funds
    were reserved before the freeze. Idempotent on ``transfer_id`` (and the onward id).

    Locks the pending transfer's two accounts in id order (plus the onward destination, all in one
    ordered statement, when redirecting). Returns the post transfer. Emits no events.
    """
    require_uuid(transfer_id, "transfer_id")
    require_uuid(pending_id, "pending_id")
    post = TransferSpec.post(transfer_id=transfer_id, pending_id=pending_id, amount_koinu=amount_koinu)
    if credit_account_id is not None:
        require_uuid(credit_account_id, "credit_account_id")
        pending = Transfer.objects.filter(id=pending_id).first()
        if pending is not None and pending.credit_account_id != credit_account_id:
            # The onward transfer needs the posted amount up front: the whole pending amount unless
            # a part was given (an over-large part is refused by the post itself).
            onward_amount = amount_koinu if amount_koinu is not None else pending.amount_koinu
            onward = TransferSpec.single(
                transfer_id=onward_transfer_id(transfer_id),
                debit_account_id=pending.credit_account_id,
                credit_account_id=credit_account_id,
                amount_koinu=onward_amount,
                reason=pending.reason,
                reference=pending.reference,
            )
            with transaction.atomic():
                return apply_group([prepare(post), prepare(onward)], name_members=False)[0]
    return apply_or_replay(prepare(post))


def transfer_void_pending(*, transfer_id: uuid.UUID, pending_id: uuid.UUID) -> Transfer:
    """Void a pending transfer: its whole amount returns to the debit account's available balance.

    Refusals as for :func:`transfer_post_pending`; a void after the timeout is
    :class:`PendingTransferExpired` (the sweep voids it). Idempotent on ``transfer_id``. Locks the
    pending transfer's two accounts in id order, in one statement. Emits no events.
    """
    return apply_or_replay(prepare(TransferSpec.void(transfer_id=transfer_id, pending_id=pending_id)))


@transaction.atomic
def transfer_pending_replace(
    *,
    transfer_id: uuid.UUID,
    replaces_id: uuid.UUID,
    debit_account_id: uuid.UUID,
    credit_account_id: uuid.UUID,
    amount_koinu: int,
    reason: str,
    reference: Mapping[str, Any] | None = None,
    timeout_s: int | None = None,
) -> Transfer:
    """Replace a pending transfer by a new one from the same account, both or neither (a raised bid).

    A linked group: first the void of ``replaces_id`` (id
    :func:`~wallet_service.ledger.chart.replacement_void_id` of ``transfer_id``), then the new pending
    transfer, which may therefore use the amount the void releases (raising a hold from 5 to 8 DOGE
    needs 8 available after the release, not 13). If either is refused (the old one is resolved or
    expired, funds are short, ...) nothing changes and the old hold stands.

    The replaced transfer must be pending and debit ``debit_account_id`` (a service may replace a
    user's hold only by another hold of the same user). Idempotent on ``transfer_id``; returns the
    new pending transfer. Locks both transfers' accounts in one ordered statement. Emits no events.
    """
    require_uuid(transfer_id, "transfer_id")
    require_uuid(replaces_id, "replaces_id")
    replaced = Transfer.objects.filter(id=replaces_id).first()
    if replaced is None:
        raise TransferNotFound("The hold to replace does not exist.", param="replaces_id")
    if replaced.kind != PENDING:
        raise TransferNotPending(param="replaces_id")
    if replaced.debit_account_id != debit_account_id:
        raise InvalidTransfer(
            "A hold can only be replaced by a hold on the same account.",
            code="replaced_hold_mismatch",
            param="replaces_id",
        )
    void = prepare(TransferSpec.void(transfer_id=replacement_void_id(transfer_id), pending_id=replaces_id))
    new = prepare(
        TransferSpec.pending_transfer(
            transfer_id=transfer_id,
            debit_account_id=debit_account_id,
            credit_account_id=credit_account_id,
            amount_koinu=amount_koinu,
            reason=reason,
            reference=reference,
            timeout_s=timeout_s,
        )
    )
    try:
        return apply_group([void, new], name_members=False)[1]
    except ApiError as error:
        if error.param == "pending_id":
            error.param = "replaces_id"
        raise
