"""The ledger transfers the chain side makes: docs/ledger.md §4, the deposit and withdrawal rows.

Every transfer id is derived (UUIDv5 in :data:`CHAIN_NAMESPACE`) from what it is about, so a
repeated call — a rescan, a retried follower step, a restarted signer — finds the first transfer
and changes nothing (the ledger's transfers are idempotent by id).

* deposit credited (the n-th time): custody → owner's wallet (suspense for an unattributed
  receipt), id ``deposit:{txid}:{vout}`` (``deposit:{txid}:{vout}:credit:{n}`` for n >= 2);
* credited deposit reorged out: corrections of that credit, owner's wallet → custody for what is
  available, suspense → custody for the rest, and the wallet frozen;
* withdrawal requested: pending owner's wallet → withdrawals_in_flight, amount + quoted fee;
* withdrawal confirmed: post it and move it on (withdrawals_in_flight → custody, amount + quoted
  fee); the fee difference between custody and network_fees;
* withdrawal rejected or failed: void the pending transfer.

All functions must run inside the caller's transaction (they are called from atomic services).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

from django.db import transaction

from wallet_service.chain.models import Deposit, Withdrawal
from wallet_service.ledger import services as ledger
from wallet_service.ledger.chart import PlatformAccount, user_wallet_account_id
from wallet_service.ledger.models import Account

logger = logging.getLogger(__name__)

# Fixed forever: changing it would change every derived transfer id (and credit deposits again).
CHAIN_NAMESPACE = uuid.UUID("6a0f6b2e-3d55-4f0e-9f0a-d0e6c1b2a7e4")


def _id(name: str) -> uuid.UUID:
    return uuid.uuid5(CHAIN_NAMESPACE, name)


# -- ids -------------------------------------------------------------------------------------------


def deposit_credit_id(txid: str, vout: int, credit_number: int = 1) -> uuid.UUID:
    """``uuid5(ns, "deposit:{txid}:{vout}")`` for the first credit, so a rescan never credits twice.

    A deposit that a reorg reversed and that confirms again is credited anew: its n-th credit
    (n ≥ 2) has its own id, so the net credit is always exactly one.
    """
    base = f"deposit:{txid}:{vout}"
    return _id(base if credit_number == 1 else f"{base}:credit:{credit_number}")


def deposit_reversal_id(txid: str, vout: int, reversal_number: int) -> uuid.UUID:
    return _id(f"deposit:{txid}:{vout}:reversal:{reversal_number}")


def deposit_shortfall_id(txid: str, vout: int, reversal_number: int) -> uuid.UUID:
    return _id(f"deposit:{txid}:{vout}:shortfall:{reversal_number}")


def withdrawal_id_for_request(user_id: uuid.UUID, idempotency_key: str) -> uuid.UUID:
    """The id of the withdrawal a user requests with ``idempotency_key``: one key, one withdrawal, ever."""
    return _id(f"withdrawal-request:{user_id}:{idempotency_key}")


def withdrawal_hold_id(withdrawal_id: uuid.UUID) -> uuid.UUID:
    return _id(f"withdrawal:{withdrawal_id}:hold")


def _withdrawal_id(withdrawal: Withdrawal, step: str) -> uuid.UUID:
    return _id(f"withdrawal:{withdrawal.id}:{step}")


# -- accounts --------------------------------------------------------------------------------------


def _platform(account: PlatformAccount) -> uuid.UUID:
    return account.account_id


def _deposit_destination(deposit: Deposit) -> uuid.UUID:
    if deposit.user_id is None:
        return _platform(PlatformAccount.SUSPENSE)
    return ledger.account_user_wallet_get_or_create(user_id=deposit.user_id).id


# -- deposits --------------------------------------------------------------------------------------


def deposit_credit(deposit: Deposit, *, credit_number: int) -> uuid.UUID:
    """Credit ``deposit`` (custody → owner); returns the transfer id. Idempotent by that id."""
    transfer_id = deposit_credit_id(deposit.txid, deposit.vout, credit_number)
    ledger.transfer_create(
        transfer_id=transfer_id,
        debit_account_id=_platform(PlatformAccount.CUSTODY),
        credit_account_id=_deposit_destination(deposit),
        amount_koinu=deposit.amount_koinu,
        reason="deposit",
        # Only chain facts: a rescan that rebuilt the Deposit row must produce the same contents.
        reference={"txid": deposit.txid, "vout": deposit.vout, "credit_number": credit_number},
    )
    return transfer_id


@dataclass(frozen=True)
class Reversal:
    recovered_koinu: int
    shortfall_koinu: int
    account_frozen: bool


def deposit_reverse(deposit: Deposit, *, reversal_number: int, orphaned_block_hash: str) -> Reversal:
    """Undo the ``reversal_number``-th credit of ``deposit`` (its block left the best chain).

    Both parts are corrections of the credit transfer (``transfer_reverse``, allowed on frozen
    wallets): what the wallet still has available comes back (owner → custody); what the user
    already spent or has on hold, the shortfall, is taken from suspense instead (suspense →
    custody), so custody again mirrors the chain, and the wallet is frozen for review. Nothing is
    silently lost: suspense's negative balance is what a human must recover.

    Locks: the owner's wallet, custody and suspense rows, in id order (the ledger's order), before
    reading the available balance, so it cannot change between the read and the corrections.
    """
    credit_id = deposit_credit_id(deposit.txid, deposit.vout, reversal_number)
    reversal_id = deposit_reversal_id(deposit.txid, deposit.vout, reversal_number)
    custody = _platform(PlatformAccount.CUSTODY)
    suspense = _platform(PlatformAccount.SUSPENSE)
    if deposit.user_id is None:  # an unattributed receipt was credited to suspense: take it back
        ledger.transfer_reverse(transfer_id=reversal_id, corrects_id=credit_id, reason="deposit_reversal")
        return Reversal(deposit.amount_koinu, 0, False)

    wallet_id = user_wallet_account_id(deposit.user_id)
    with transaction.atomic():
        locked = (
            Account.objects.select_for_update().filter(id__in=[wallet_id, custody, suspense]).order_by("id")
        )
        wallet = {account.id: account for account in locked}[wallet_id]
        available = wallet.credits_posted - wallet.debits_posted - wallet.debits_pending
        recovered = max(0, min(available, deposit.amount_koinu))
        shortfall = deposit.amount_koinu - recovered
        if recovered > 0:
            ledger.transfer_reverse(
                transfer_id=reversal_id,
                corrects_id=credit_id,
                reason="deposit_reversal",
                amount_koinu=recovered,
            )
        if shortfall == 0:
            return Reversal(recovered, 0, False)
        ledger.transfer_reverse(
            transfer_id=deposit_shortfall_id(deposit.txid, deposit.vout, reversal_number),
            corrects_id=credit_id,
            reason="deposit_shortfall",
            amount_koinu=shortfall,
            debit_account_id=suspense,
        )
        ledger.account_freeze(
            account_id=wallet_id,
            reason=f"deposit {deposit.txid[:16]}...:{deposit.vout} reorged out; {shortfall} koinu spent",
        )
        logger.error(
            "reorg reversed deposit %s:%s of user %s, %s koinu already spent: suspense, wallet frozen",
            deposit.txid,
            deposit.vout,
            deposit.user_id,
            shortfall,
        )
        return Reversal(recovered, shortfall, True)


# -- withdrawals -----------------------------------------------------------------------------------


def withdrawal_hold(withdrawal: Withdrawal) -> None:
    """Reserve amount + fee: pending transfer owner → withdrawals_in_flight (raises InsufficientFunds...)."""
    ledger.transfer_create(
        transfer_id=withdrawal.hold_transfer_id,
        debit_account_id=ledger.account_user_wallet_get_or_create(user_id=withdrawal.user_id).id,
        credit_account_id=_platform(PlatformAccount.WITHDRAWALS_IN_FLIGHT),
        amount_koinu=withdrawal.amount_koinu + withdrawal.fee_koinu,
        reason="withdrawal",
        reference={"withdrawal_id": str(withdrawal.id), "address": withdrawal.address},
        pending=True,
    )


def withdrawal_void(withdrawal: Withdrawal) -> None:
    """Release the hold (rejected or failed): the amount and fee are available again."""
    ledger.transfer_void_pending(
        transfer_id=_withdrawal_id(withdrawal, "void"), pending_id=withdrawal.hold_transfer_id
    )


def withdrawal_settle(withdrawal: Withdrawal, *, txid: str) -> None:
    """The withdrawal's transaction confirmed: post the hold and book what left the chain.

    Post the pending transfer in full (owner → withdrawals_in_flight, amount + quoted fee) and move
    it on to custody in the same linked step (withdrawals_in_flight → custody, the ledger's onward
    transfer). Then the difference between the quoted fee and this withdrawal's share of the real
    network fee: custody → network_fees when the user paid more than the share, network_fees →
    custody when the platform paid the rest. Net: custody is credited exactly amount + real fee
    share (what left the chain); network_fees carries quoted minus real.
    """
    share = withdrawal.network_fee_share_koinu
    if share is None:
        raise ValueError(f"withdrawal {withdrawal.id} has no network fee share: it was never signed")
    custody = _platform(PlatformAccount.CUSTODY)
    network_fees = _platform(PlatformAccount.NETWORK_FEES)
    ledger.transfer_post_pending(
        transfer_id=_withdrawal_id(withdrawal, "post"),
        pending_id=withdrawal.hold_transfer_id,
        credit_account_id=custody,
    )
    difference = withdrawal.fee_koinu - share
    if difference != 0:
        ledger.transfer_create(
            transfer_id=_withdrawal_id(withdrawal, "fee_difference"),
            debit_account_id=custody if difference > 0 else network_fees,
            credit_account_id=network_fees if difference > 0 else custody,
            amount_koinu=abs(difference),
            reason="network_fee",
            reference={
                "withdrawal_id": str(withdrawal.id),
                "txid": txid,
                "quoted_fee_koinu": withdrawal.fee_koinu,
                "network_fee_share_koinu": share,
            },
        )
