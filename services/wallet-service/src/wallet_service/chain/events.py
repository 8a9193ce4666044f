"""Events the chain side of wallet-service publishes, with their typed payloads.

Each payload is registered with :func:`register_event`, so :meth:`Event.new` validates it strictly.
They are documented in ``docs/event-catalog.md``. Events go through the outbox
(:func:`publish`), in the same transaction as the change they describe.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from dbay_common.django.celery import schedule_outbox_relay_on_commit
from dbay_common.django.outbox.services import outbox_publish
from dbay_common.events import Event, register_event
from dbay_common.money import Koinu

EVENT_SOURCE = "dbay.wallet"
PRODUCER = "wallet-service"


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


def publish(detail_type: str, payload: BaseModel | dict[str, Any]) -> None:
    """Put the event in the outbox (inside the caller's transaction) and relay it after commit."""
    outbox_publish(Event.new(source=EVENT_SOURCE, detail_type=detail_type, data=payload, producer=PRODUCER))
    schedule_outbox_relay_on_commit()
