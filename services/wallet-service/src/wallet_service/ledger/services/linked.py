"""Linked groups: several transfers applied all or none, in one database transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from django.db import transaction

from wallet_service.ledger.errors import ApiError, InvalidTransfer, TransferConflict
from wallet_service.ledger.models import Transfer
from wallet_service.ledger.services._apply import AlreadyExists, apply, same_contents
from wallet_service.ledger.services._prepare import Prepared, TransferSpec, prepare
from wallet_service.ledger.services._statements import MAX_LINKED_TRANSFERS, lock_accounts


@transaction.atomic
def transfers_create_linked(*, transfers: Sequence[TransferSpec]) -> list[Transfer]:
    """Apply a group of transfers all or none, in one database transaction; return them in order.

    Each transfer is checked as if alone, on the balances the earlier ones of the group left (so a
    group can e.g. post a hold and move the amount on, or credit an account and debit it again). The
    group's ``linked_group`` is its first transfer's id.

    Idempotent: if every id exists as recorded for this group, the recorded transfers are returned;
    if only some exist, or one differs, :class:`TransferConflict`. A refusal of any transfer raises
    it (its ``param`` prefixed with ``transfers.<index>``) and nothing of the group remains.

    Locks every account of the group in one ordered statement before applying the transfers, so
    groups and single transfers never deadlock. Emits no events.
    """
    if not transfers:
        raise InvalidTransfer("a linked group needs at least one transfer.", param="transfers")
    if len(transfers) > MAX_LINKED_TRANSFERS:
        raise InvalidTransfer(
            f"a linked group has at most {MAX_LINKED_TRANSFERS} transfers.", param="transfers"
        )
    items = [prepare(spec) for spec in transfers]
    ids = [item.transfer_id for item in items]
    if len(set(ids)) != len(ids):
        raise InvalidTransfer("the transfers of a linked group need distinct ids.", param="transfers")
    return apply_group(items, name_members=True)


def apply_group(items: list[Prepared], *, name_members: bool) -> list[Transfer]:
    group_id = items[0].transfer_id
    ids = [item.transfer_id for item in items]
    # Two rounds: a concurrent identical group can commit between our check and our first insert;
    # then our insert finds the id taken, we roll back to the savepoint and replay the group.
    for _ in range(2):
        existing = {transfer.id: transfer for transfer in Transfer.objects.filter(id__in=ids)}
        if existing:
            if len(existing) != len(items):
                raise TransferConflict(
                    "Some transfers of this linked group exist and others do not: the group differs "
                    "from the one recorded.",
                    param="transfers",
                )
            for item in items:
                if not same_contents(existing[item.transfer_id], item, linked_group=group_id):
                    raise TransferConflict(param="transfers")
            if Transfer.objects.filter(linked_group=group_id).count() != len(items):
                raise TransferConflict(
                    "The recorded linked group has other members than this one.", param="transfers"
                )
            return [existing[item_id] for item_id in ids]
        try:
            with transaction.atomic():
                lock_accounts(_group_account_ids(items))
                applied = []
                for index, item in enumerate(items):
                    try:
                        applied.append(apply(item, linked_group=group_id))
                    except ApiError as error:
                        if name_members:
                            error.param = f"transfers.{index}" + (f".{error.param}" if error.param else "")
                        raise
                return applied
        except AlreadyExists:
            continue
    raise TransferConflict(param="transfers")


def _group_account_ids(items: Sequence[Prepared]) -> set[uuid.UUID]:
    """Every account the group touches, including those of the pending transfers it resolves."""
    account_ids: set[uuid.UUID] = set()
    in_group: dict[uuid.UUID, Prepared] = {}
    outside: set[uuid.UUID] = set()
    for item in items:
        if item.debit_account_id is not None and item.credit_account_id is not None:
            account_ids.update((item.debit_account_id, item.credit_account_id))
            in_group[item.transfer_id] = item
        elif item.pending_id is not None and item.pending_id not in in_group:
            outside.add(item.pending_id)
    for debit, credit in Transfer.objects.filter(id__in=outside).values_list(
        "debit_account_id", "credit_account_id"
    ):
        account_ids.update((debit, credit))
    return account_ids
