"""Events the chain side of wallet-service publishes: their typed payloads and the one function
that builds and publishes each.

Each payload is registered with :func:`register_event`, so the event is validated strictly; they are
documented in ``docs/event-catalog.md``. Every event of a type is built by its ``*_published``
function below, from the domain objects, and goes through :func:`dbay_common.django.events.publish`:
into the outbox in the caller's transaction (so each function must run inside one), with the
correlation and causation ids of the request or event being handled, relayed after commit.
"""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict

from dbay_common.django.events import publish
from dbay_common.events import Event, register_event
from dbay_common.money import Koinu
from wallet_service.chain.models import Deposit, Withdrawal


class _Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


@register_event("deposit.detected", 1)
class DepositDetectedV1(_Payload):
    """An output paying a user's deposit address was first seen (mempool or block). Not spendable."""

    deposit_id: str
    user_id: str
    address: str
    txid: str
    vout: int
    amount_koinu: Koinu
    confirmations: int
    required_confirmations: int


@register_event("deposit.confirmed", 1)
class DepositConfirmedV1(_Payload):
    """The deposit reached its required confirmations and was credited to the user's wallet."""

    deposit_id: str
    user_id: str
    txid: str
    vout: int
    amount_koinu: Koinu
    block_height: int
    block_hash: str
    confirmations: int
    transfer_id: str
    #: 1 for the first credit; 2+ if a reorg reversed it and it confirmed again.
    credit_number: int


@register_event("deposit.reversed", 1)
class DepositReversedV1(_Payload):
    """A credited deposit's block left the best chain: the credit was reversed.

    ``recovered_koinu`` came back from the wallet; ``shortfall_koinu`` (already spent by the user)
    was booked to suspense and the wallet frozen for review (``account_frozen``).
    """

    deposit_id: str
    user_id: str
    txid: str
    vout: int
    amount_koinu: Koinu
    orphaned_block_hash: str
    recovered_koinu: Koinu
    shortfall_koinu: Koinu
    account_frozen: bool


@register_event("withdrawal.requested", 1)
class WithdrawalRequestedV1(_Payload):
    withdrawal_id: str
    user_id: str
    address: str
    amount_koinu: Koinu
    fee_koinu: Koinu
    status: Literal["awaiting_approval", "approved"]


@register_event("withdrawal.broadcast", 1)
class WithdrawalBroadcastV1(_Payload):
    withdrawal_id: str
    user_id: str
    txid: str
    amount_koinu: Koinu
    fee_koinu: Koinu


@register_event("withdrawal.confirmed", 1)
class WithdrawalConfirmedV1(_Payload):
    withdrawal_id: str
    user_id: str
    txid: str
    block_height: int
    confirmations: int
    amount_koinu: Koinu
    fee_koinu: Koinu


@register_event("withdrawal.failed", 1)
class WithdrawalFailedV1(_Payload):
    """The withdrawal will not be paid; its hold was voided (the funds are available again)."""

    withdrawal_id: str
    user_id: str
    amount_koinu: Koinu
    fee_koinu: Koinu
    reason: Literal["rejected", "transaction_failed"]
    message: str
    txid: str | None


@register_event("withdrawal.held", 1)
class WithdrawalHeldV1(_Payload):
    """The signer found the wallet frozen when it came to pay this approved withdrawal: it was not
    paid, it stays held (status ``on_hold``) and waits for staff to approve it again or reject it."""

    withdrawal_id: str
    user_id: str
    amount_koinu: Koinu
    fee_koinu: Koinu
    reason: Literal["account_frozen"]


@register_event("withdrawal.unconfirmed", 1)
class WithdrawalUnconfirmedV1(_Payload):
    """A reorg removed the block holding the confirmed withdrawal's transaction. The payment stands
    (the transaction is back in the mempool and is rebroadcast); ``withdrawal.confirmed`` follows
    again when it is mined on the new chain."""

    withdrawal_id: str
    user_id: str
    txid: str
    orphaned_block_hash: str


# -- publishing: one function per event type ------------------------------------------------------------


def deposit_detected_published(deposit: Deposit, *, confirmations: int, required_confirmations: int) -> Event:
    """``deposit.detected``: first sight of an output paying a user's address (mempool or block)."""
    assert deposit.user_id is not None, "only a user's deposit is announced"
    return publish(
        "deposit.detected",
        DepositDetectedV1(
            deposit_id=str(deposit.id),
            user_id=str(deposit.user_id),
            address=deposit.address.address,
            txid=deposit.txid,
            vout=deposit.vout,
            amount_koinu=Koinu(deposit.amount_koinu),
            confirmations=confirmations,
            required_confirmations=required_confirmations,
        ),
    )


def deposit_confirmed_published(
    deposit: Deposit, *, confirmations: int, transfer_id: uuid.UUID, credit_number: int
) -> Event:
    """``deposit.confirmed``: the deposit was credited (its ``credit_number``-th credit)."""
    assert deposit.user_id is not None and deposit.block_height is not None and deposit.block_hash
    return publish(
        "deposit.confirmed",
        DepositConfirmedV1(
            deposit_id=str(deposit.id),
            user_id=str(deposit.user_id),
            txid=deposit.txid,
            vout=deposit.vout,
            amount_koinu=Koinu(deposit.amount_koinu),
            block_height=deposit.block_height,
            block_hash=deposit.block_hash,
            confirmations=confirmations,
            transfer_id=str(transfer_id),
            credit_number=credit_number,
        ),
    )


def deposit_reversed_published(
    deposit: Deposit,
    *,
    orphaned_block_hash: str,
    recovered_koinu: int,
    shortfall_koinu: int,
    is_account_frozen: bool,
) -> Event:
    """``deposit.reversed``: a credited deposit's block left the best chain."""
    assert deposit.user_id is not None, "only a user's deposit is announced"
    return publish(
        "deposit.reversed",
        DepositReversedV1(
            deposit_id=str(deposit.id),
            user_id=str(deposit.user_id),
            txid=deposit.txid,
            vout=deposit.vout,
            amount_koinu=Koinu(deposit.amount_koinu),
            orphaned_block_hash=orphaned_block_hash,
            recovered_koinu=Koinu(recovered_koinu),
            shortfall_koinu=Koinu(shortfall_koinu),
            account_frozen=is_account_frozen,
        ),
    )


def withdrawal_requested_published(withdrawal: Withdrawal) -> Event:
    """``withdrawal.requested``: the withdrawal exists and its amount and fee are held."""
    return publish(
        "withdrawal.requested",
        WithdrawalRequestedV1(
            withdrawal_id=str(withdrawal.id),
            user_id=str(withdrawal.user_id),
            address=withdrawal.address,
            amount_koinu=Koinu(withdrawal.amount_koinu),
            fee_koinu=Koinu(withdrawal.fee_koinu),
            status="awaiting_approval"
            if withdrawal.status == Withdrawal.Status.AWAITING_APPROVAL
            else "approved",
        ),
    )


def withdrawal_broadcast_published(withdrawal: Withdrawal, *, txid: str) -> Event:
    """``withdrawal.broadcast``: the node accepted the transaction paying it (or it was found mined)."""
    return publish(
        "withdrawal.broadcast",
        WithdrawalBroadcastV1(
            withdrawal_id=str(withdrawal.id),
            user_id=str(withdrawal.user_id),
            txid=txid,
            amount_koinu=Koinu(withdrawal.amount_koinu),
            fee_koinu=Koinu(withdrawal.fee_koinu),
        ),
    )


def withdrawal_confirmed_published(
    withdrawal: Withdrawal, *, txid: str, block_height: int, confirmations: int
) -> Event:
    """``withdrawal.confirmed``: its transaction has the required confirmations; the hold is posted."""
    return publish(
        "withdrawal.confirmed",
        WithdrawalConfirmedV1(
            withdrawal_id=str(withdrawal.id),
            user_id=str(withdrawal.user_id),
            txid=txid,
            block_height=block_height,
            confirmations=confirmations,
            amount_koinu=Koinu(withdrawal.amount_koinu),
            fee_koinu=Koinu(withdrawal.fee_koinu),
        ),
    )


def withdrawal_failed_published(
    withdrawal: Withdrawal, *, reason: Literal["rejected", "transaction_failed"], txid: str | None
) -> Event:
    """``withdrawal.failed``: it will not be paid and its hold was voided; the message is the
    withdrawal's recorded ``failure_reason``."""
    return publish(
        "withdrawal.failed",
        WithdrawalFailedV1(
            withdrawal_id=str(withdrawal.id),
            user_id=str(withdrawal.user_id),
            amount_koinu=Koinu(withdrawal.amount_koinu),
            fee_koinu=Koinu(withdrawal.fee_koinu),
            reason=reason,
            message=withdrawal.failure_reason,
            txid=txid,
        ),
    )


def withdrawal_held_published(withdrawal: Withdrawal) -> Event:
    """``withdrawal.held``: the signer refused to pay it because the wallet is frozen (``on_hold``)."""
    return publish(
        "withdrawal.held",
        WithdrawalHeldV1(
            withdrawal_id=str(withdrawal.id),
            user_id=str(withdrawal.user_id),
            amount_koinu=Koinu(withdrawal.amount_koinu),
            fee_koinu=Koinu(withdrawal.fee_koinu),
            reason="account_frozen",
        ),
    )


def withdrawal_unconfirmed_published(withdrawal: Withdrawal, *, txid: str, orphaned_block_hash: str) -> Event:
    """``withdrawal.unconfirmed``: a reorg took its confirmed transaction out of the best chain."""
    return publish(
        "withdrawal.unconfirmed",
        WithdrawalUnconfirmedV1(
            withdrawal_id=str(withdrawal.id),
            user_id=str(withdrawal.user_id),
            txid=txid,
            orphaned_block_hash=orphaned_block_hash,
        ),
    )
