"""Corrections: a new transfer reversing (all or part of) a posted one, never an edit."""

from __future__ import annotations

import uuid
from dataclasses import replace

from django.db import connection, transaction

from wallet_service.ledger.errors import ReversalExceedsOriginal, TransferNotFound, TransferNotReversible
from wallet_service.ledger.models import Transfer
from wallet_service.ledger.services._apply import apply_or_replay, replay
from wallet_service.ledger.services._prepare import TransferSpec, prepare, require_uuid
from wallet_service.ledger.services._statements import POST_PENDING, SINGLE, lock_accounts


@transaction.atomic
def transfer_reverse(
    *,
    transfer_id: uuid.UUID,
    corrects_id: uuid.UUID,
    reason: str = "correction",
    amount_koinu: int | None = None,
    debit_account_id: uuid.UUID | None = None,
) -> Transfer:
    """Correct a posted transfer with a new, reversing one that points at it (``corrects``).

    By default the whole amount goes back: debit the original's credit account, credit the
    original's debit account. ``amount_koinu`` reverses part of it; ``debit_account_id`` takes the
    money from another account (e.g. ``suspense`` for the part of a reorged deposit the user already
    spent). All corrections of one transfer together never exceed its amount. Allowed on frozen
    accounts (a correction is the review's tool); a wallet still cannot go negative.

    Only ``single`` and ``post_pending`` transfers can be reversed (void a pending one instead).
    Idempotent on ``transfer_id``. Locks both accounts (id order) before summing the earlier
    corrections, so concurrent corrections of one transfer serialise. Emits no events.
    """
    require_uuid(transfer_id, "transfer_id")
    require_uuid(corrects_id, "corrects_id")
    original = Transfer.objects.filter(id=corrects_id).first()
    if original is None:
        raise TransferNotFound("The transfer to correct does not exist.", param="corrects_id")
    if original.kind not in (SINGLE, POST_PENDING):
        raise TransferNotReversible(param="corrects_id")
    debit = debit_account_id if debit_account_id is not None else original.credit_account_id
    item = replace(
        prepare(
            TransferSpec(
                transfer_id=transfer_id,
                kind=SINGLE,
                debit_account_id=debit,
                credit_account_id=original.debit_account_id,
                amount_koinu=original.amount_koinu if amount_koinu is None else amount_koinu,
                reason=reason,
                reference=original.reference,
                corrects_id=corrects_id,
            )
        ),
        allow_frozen=True,
    )
    # Lock first, then look for the id: a concurrent identical correction has then either committed
    # (a replay) or not started, and the sum below sees every other correction of this transfer.
    lock_accounts([debit, original.debit_account_id])
    if Transfer.objects.filter(id=transfer_id).exists():
        return replay(item, linked_group=None)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(amount_koinu), 0) FROM ledger_transfer WHERE corrects_id = %s",
            [corrects_id],
        )
        row = cursor.fetchone()
    already_corrected = int(row[0]) if row else 0
    assert item.amount_koinu is not None
    if already_corrected + item.amount_koinu > original.amount_koinu:
        raise ReversalExceedsOriginal(param="amount_koinu")
    return apply_or_replay(item)
