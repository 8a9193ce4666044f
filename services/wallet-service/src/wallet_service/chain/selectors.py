"""Reads of the chain side: incoming deposits, confirmations, fee quotes. Nothing here writes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import QuerySet, Sum

from dbay_common.errors import InvalidRequest
from dbay_common.money import Koinu
from wallet_service.amounts import amount_total_check
from wallet_service.chain.models import ChainBlock, Deposit, Withdrawal
from wallet_service.chain.transactions import FEE_PER_KB_KOINU, fee_for_size, withdrawal_quote_size
from wallet_service.ledger.selectors import user_balances

INCOMING_STATUSES = (Deposit.Status.PENDING, Deposit.Status.CONFIRMING)


def incoming_koinu_for_user(*, user_id: uuid.UUID) -> int:
    """Deposits of ``user_id`` seen on chain (mempool or block), not yet credited: shown, never spendable."""
    total = Deposit.objects.filter(user_id=user_id, status__in=INCOMING_STATUSES).aggregate(
        total=Sum("amount_koinu")
    )["total"]
    return int(total or 0)


def chain_tip() -> ChainBlock | None:
    """The highest block the follower has processed on its current best chain."""
    return ChainBlock.objects.filter(orphaned_at__isnull=True).order_by("-height").first()


def confirmations_at(*, block_height: int | None, tip_height: int | None) -> int:
    """Confirmations of something mined at ``block_height`` when our tip is ``tip_height`` (0 if unmined)."""
    if block_height is None or tip_height is None or tip_height < block_height:
        return 0
    return tip_height - block_height + 1


def required_confirmations(*, amount_koinu: int) -> int:
    """Confirmations a deposit of ``amount_koinu`` needs before it is credited (tiers by amount)."""
    required = int(settings.DEPOSIT_CONFIRMATIONS)
    for threshold, confirmations in settings.DEPOSIT_CONFIRMATION_TIERS:
        if amount_koinu >= threshold:
            required = max(required, confirmations)
    return required


def deposits_for_user(*, user_id: uuid.UUID) -> QuerySet[Deposit]:
    """The user's deposits that are incoming or credited (dropped ones are hidden), newest first."""
    return (
        Deposit.objects.filter(user_id=user_id)
        .exclude(status=Deposit.Status.DROPPED)
        .select_related("address")
        .order_by("-first_seen_at", "-id")
    )


@dataclass(frozen=True)
class DepositState:
    """A deposit with its live confirmation count and the confirmations it needs."""

    id: uuid.UUID
    address: str
    txid: str
    vout: int
    amount_koinu: Koinu
    status: str
    confirmations: int
    required_confirmations: int
    block_height: int | None
    first_seen_at: datetime
    credited_at: datetime | None


def deposit_state(deposit: Deposit, *, tip_height: int | None) -> DepositState:
    """``deposit`` as of our tip at ``tip_height``."""
    return DepositState(
        id=deposit.id,
        address=deposit.address.address,
        txid=deposit.txid,
        vout=deposit.vout,
        amount_koinu=Koinu(deposit.amount_koinu),
        status=deposit.status,
        confirmations=confirmations_at(block_height=deposit.block_height, tip_height=tip_height),
        required_confirmations=required_confirmations(amount_koinu=deposit.amount_koinu),
        block_height=deposit.block_height,
        first_seen_at=deposit.first_seen_at,
        credited_at=deposit.credited_at,
    )


@dataclass(frozen=True)
class WithdrawalQuote:
    """What a withdrawal of ``amount_koinu`` costs: the network fee charged and the total held."""

    amount_koinu: Koinu
    fee_koinu: Koinu
    estimated_size_bytes: int
    fee_per_kb_koinu: Koinu

    @property
    def total_koinu(self) -> Koinu:
        return self.amount_koinu + self.fee_koinu


def withdrawal_quote(*, amount_koinu: Koinu) -> WithdrawalQuote:
    """The fee a withdrawal of ``amount_koinu`` is charged, by the fixed policy.

    0.01 DOGE per started kB of the estimated size of a one-input, two-output P2PKH transaction
    (226 bytes → 1,000,000 koinu). The transaction the signer actually builds may have more inputs
    or pay several withdrawals at once; the difference is the platform's (network_fees account).

    Raises a 400 (param ``amount_koinu``): ``amount_below_dust`` below ``WITHDRAWAL_MIN_KOINU``;
    ``amount_too_large`` when amount + fee would pass the largest balance possible
    (:data:`wallet_service.amounts.MAX_BALANCE_KOINU`), checked before anything adds them.
    """
    size = withdrawal_quote_size()
    fee = fee_for_size(size)
    amount_total_check(amount_koinu=amount_koinu, fee_koinu=fee, param="amount_koinu")
    minimum = int(settings.WITHDRAWAL_MIN_KOINU)
    if amount_koinu < minimum:
        raise InvalidRequest(
            f"The minimum withdrawal is {minimum} koinu ({Koinu(minimum).to_doge()} DOGE): smaller outputs "
            "are dust under Dogecoin's fee policy.",
            code="amount_below_dust",
            param="amount_koinu",
        )
    return WithdrawalQuote(
        amount_koinu=amount_koinu,
        fee_koinu=Koinu(fee),
        estimated_size_bytes=size,
        fee_per_kb_koinu=Koinu(FEE_PER_KB_KOINU),
    )


def withdrawal_quote_max(*, user_id: uuid.UUID) -> WithdrawalQuote:
    """The quote of the largest withdrawal the user can make now: available balance minus the fee.

    Raises a 400 ``insufficient_funds`` (param ``amount_koinu``) when what is left after the fee is
    below the minimum withdrawal.
    """
    available = user_balances(user_id=user_id).available_koinu
    fee = fee_for_size(withdrawal_quote_size())
    minimum = int(settings.WITHDRAWAL_MIN_KOINU)
    if available - fee < minimum:
        raise InvalidRequest(
            f"Your available balance ({Koinu(max(0, available)).to_doge()} DOGE) is too small: a "
            f"withdrawal needs at least {Koinu(minimum).to_doge()} DOGE plus the "
            f"{Koinu(fee).to_doge()} DOGE network fee.",
            code="insufficient_funds",
            param="amount_koinu",
        )
    return withdrawal_quote(amount_koinu=Koinu(available - fee))


def withdrawals_for_user(*, user_id: uuid.UUID) -> QuerySet[Withdrawal]:
    return (
        Withdrawal.objects.filter(user_id=user_id).select_related("chain_tx").order_by("-created_at", "-id")
    )


@dataclass(frozen=True)
class WithdrawalState:
    """A withdrawal with its transaction's id and live confirmation count, if it has one."""

    id: uuid.UUID
    address: str
    amount_koinu: Koinu
    fee_koinu: Koinu
    status: str
    txid: str | None
    confirmations: int
    created_at: datetime
    failure_reason: str | None


def withdrawal_state(withdrawal: Withdrawal, *, tip_height: int | None) -> WithdrawalState:
    """``withdrawal`` as of our tip at ``tip_height``."""
    chain_tx = withdrawal.chain_tx
    return WithdrawalState(
        id=withdrawal.id,
        address=withdrawal.address,
        amount_koinu=Koinu(withdrawal.amount_koinu),
        fee_koinu=Koinu(withdrawal.fee_koinu),
        status=withdrawal.status,
        txid=chain_tx.txid if chain_tx is not None else None,
        confirmations=confirmations_at(
            block_height=chain_tx.block_height if chain_tx is not None else None, tip_height=tip_height
        ),
        created_at=withdrawal.created_at,
        failure_reason=withdrawal.failure_reason or None,
    )
