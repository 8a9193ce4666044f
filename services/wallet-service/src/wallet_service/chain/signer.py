"""The signer: turns approved withdrawals into signed transactions and gets them onto the network.

It runs as its own process (``manage.py run_signer``), the only one holding the hot key. The rule
that makes crashes harmless: **a signed transaction is committed to the database before it is ever
broadcast**, in the same transaction that moves its withdrawals from ``approved`` to ``signed`` and
reserves its inputs. So, whenever the process dies:

* before that commit — nothing was stored and nothing was broadcast: the withdrawals are still
  ``approved`` and the next run builds their transaction (the first one never existed outside
  this process's memory);
* after it — the stored transaction is the only one that can ever pay those withdrawals: the next run
  rebroadcasts exactly those bytes (same txid), and the withdrawals are no longer ``approved``,
  so no second transaction is built for them.

Broadcasting is idempotent (the node answers "already known" for a transaction it has). A
transaction is declared failed only when the node refuses it *and* another transaction is seen
spending one of its inputs on chain, so it can never confirm; then its withdrawals' holds are voided.
Any other refusal is retried and reported, never guessed at: giving the money back for a
transaction that later confirms would pay twice.

Only one signer may run: :func:`signer_lock` takes a PostgreSQL session advisory lock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from wallet_service.chain import booking, events
from wallet_service.chain.keys import AddressChain, configured_network, decode_address
from wallet_service.chain.models import ChainTransaction, Utxo, Withdrawal
from wallet_service.chain.rpc import (
    RPC_VERIFY_ALREADY_IN_CHAIN,
    RPC_VERIFY_ERROR,
    RPC_VERIFY_REJECTED,
    NodeClient,
    NodeUnavailable,
    RpcError,
)
from wallet_service.chain.services import change_address_create
from wallet_service.chain.signer_keys import SignerKeys
from wallet_service.chain.transactions import (
    DUST_KOINU,
    InsufficientHotFunds,
    SpendableInput,
    TxOutput,
    build_and_sign,
    estimated_size,
    fee_for_size,
    p2pkh_script,
)
from wallet_service.ledger.chart import user_wallet_account_id
from wallet_service.ledger.models import Account

logger = logging.getLogger(__name__)

SIGNER_LOCK_KEY = 0x64426179_0002  # "dBay" + 2
MAX_INPUTS = 200

#: Where a test may freeze the signer to kill it (SIGNER_TEST_PAUSE_AT; never honoured in production).
PAUSE_POINTS = ("after_reserve", "after_sign", "after_broadcast")

Pause = Callable[[str], None]


def _no_pause(point: str) -> None:
    return None


@dataclass
class SignerStepResult:
    signed: int = 0
    broadcast: int = 0
    failed: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.signed or self.broadcast or self.failed)


def _withdrawals_payable(withdrawals: list[Withdrawal]) -> list[Withdrawal]:
    """The withdrawals of ``withdrawals`` whose wallets may pay now; frozen wallets' go ``on_hold``.

    Locks the owners' wallet accounts (``FOR NO KEY UPDATE SKIP LOCKED``, the lock the ledger and
    ``account_freeze`` take), so no freeze can land between this check and the commit of the signed
    transaction. A wallet locked by someone else right now is not waited for (no lock-order
    deadlock with the follower): its withdrawals stay ``approved`` for the next round. A frozen
    wallet's approved withdrawal is not paid: it goes ``on_hold`` with its hold kept, and
    ``withdrawal.held`` is published; staff approve it again after the review, or reject it.
    """
    wallet_ids = sorted({user_wallet_account_id(w.user_id) for w in withdrawals})
    wallets = {
        account.id: account
        for account in Account.objects.select_for_update(no_key=True, skip_locked=True)
        .filter(id__in=wallet_ids)
        .order_by("id")
    }
    payable = []
    for withdrawal in withdrawals:
        wallet = wallets.get(user_wallet_account_id(withdrawal.user_id))
        if wallet is None:
            continue
        if wallet.is_frozen:
            withdrawal.status = Withdrawal.Status.ON_HOLD
            withdrawal.review_note = f"wallet frozen when the signer came to pay: {wallet.frozen_reason}"[
                :2000
            ]
            withdrawal.save(update_fields=["status", "review_note"])
            events.withdrawal_held_published(withdrawal)
            logger.warning(
                "withdrawal %s held: wallet of user %s is frozen", withdrawal.id, withdrawal.user_id
            )
            continue
        payable.append(withdrawal)
    return payable


def signer_lock() -> bool:
    """Take the one-signer lock for this database session; False if another signer holds it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [SIGNER_LOCK_KEY])
        (is_locked,) = cursor.fetchone()
    return bool(is_locked)


def signer_step(*, keys: SignerKeys, client: NodeClient, pause: Pause = _no_pause) -> SignerStepResult:
    """One round: (re)broadcast what is stored, then sign and broadcast one batch of approved withdrawals."""
    result = SignerStepResult()
    for stored in _transactions_to_broadcast():
        outcome = chain_tx_broadcast(chain_tx_id=stored.id, client=client)
        result.broadcast += outcome == "broadcast"
        result.failed += outcome == "failed"
    signed = withdrawals_sign_batch(keys=keys, pause=pause)
    if signed is not None:
        result.signed += 1
        pause("after_sign")
        outcome = chain_tx_broadcast(chain_tx_id=signed.id, client=client, pause=pause)
        result.broadcast += outcome == "broadcast"
        result.failed += outcome == "failed"
    return result


def _transactions_to_broadcast() -> list[ChainTransaction]:
    """Stored but never accepted by the node, or accepted but not mined for a while (rebroadcast)."""
    stale_before = timezone.now() - timedelta(seconds=int(settings.SIGNER_REBROADCAST_INTERVAL_S))
    never = ChainTransaction.objects.filter(state=ChainTransaction.State.SIGNED)
    unmined = ChainTransaction.objects.filter(
        state=ChainTransaction.State.BROADCAST, block_hash__isnull=True, last_broadcast_at__lt=stale_before
    )
    return list((never | unmined).order_by("created_at"))


# -- signing -------------------------------------------------------------------------------------------


def _select_inputs(
    candidates: list[Utxo], *, payments: list[TxOutput], change_script: bytes
) -> list[Utxo] | None:
    """Largest first, until the inputs pay the payments and the fee of a transaction with change."""
    target = sum(payment.amount_koinu for payment in payments)
    scripts = [payment.script_pubkey for payment in payments] + [change_script]
    chosen: list[Utxo] = []
    total = 0
    for utxo in candidates[:MAX_INPUTS]:
        chosen.append(utxo)
        total += utxo.amount_koinu
        fee = fee_for_size(estimated_size(input_count=len(chosen), output_scripts=scripts))
        # Enough for payments + fee, with change either worth an output or small enough to give up.
        if total >= target + fee:
            return chosen
    return None


@transaction.atomic
def withdrawals_sign_batch(*, keys: SignerKeys, pause: Pause = _no_pause) -> ChainTransaction | None:
    """Build, sign and store one transaction paying up to SIGNER_MAX_BATCH approved withdrawals.

    Locks the approved withdrawals (``FOR UPDATE SKIP LOCKED``), oldest first, then their owners'
    wallet accounts, and re-checks in this transaction that no wallet is frozen (a frozen one's
    withdrawal goes ``on_hold``, see :func:`_withdrawals_payable`), then the available outputs. If
    the hot wallet cannot pay them all, the newest are left for later; if it cannot pay the oldest
    one, nothing is signed (logged: the hot wallet needs funds). On return the
    transaction is committed in state ``signed``: withdrawals ``signed`` with their output index and
    network fee share, inputs reserved, change recorded (not yet spendable). Nothing is broadcast here.
    """
    withdrawals = list(
        Withdrawal.objects.select_for_update(skip_locked=True)
        .filter(status=Withdrawal.Status.APPROVED)
        .order_by("created_at", "id")[: int(settings.SIGNER_MAX_BATCH)]
    )
    withdrawals = _withdrawals_payable(withdrawals)
    if not withdrawals:
        return None
    candidates = list(
        Utxo.objects.select_for_update(skip_locked=True)
        .filter(is_spendable=True, reserved_by__isnull=True, spent_txid__isnull=True)
        .select_related("address")
        .order_by("-amount_koinu", "id")
    )
    network = configured_network()
    # Any P2PKH script has the size of the change script: select first, derive the address after.
    size_placeholder = p2pkh_script(bytes(20))
    while withdrawals:
        payments = [
            TxOutput(w.amount_koinu, decode_address(w.address, network).script_pubkey()) for w in withdrawals
        ]
        inputs = _select_inputs(candidates, payments=payments, change_script=size_placeholder)
        if inputs is not None:
            break
        withdrawals.pop()
    else:
        logger.error("hot wallet cannot pay the oldest approved withdrawal; waiting for funds")
        return None
    pause("after_reserve")
    change_address = change_address_create()
    change_script = p2pkh_script(bytes.fromhex(change_address.pubkey_hash))
    spendable = [
        SpendableInput(
            txid=utxo.txid,
            vout=utxo.vout,
            amount_koinu=utxo.amount_koinu,
            private_key=keys.private_key(
                AddressChain(utxo.address.chain),
                utxo.address.derivation_index,
                expected_pubkey_hash=utxo.address.pubkey_hash,
            ),
        )
        for utxo in inputs
    ]
    try:
        signed = build_and_sign(inputs=spendable, payments=payments, change_script=change_script)
    except InsufficientHotFunds:
        logger.exception("coin selection and signing disagree on the fee")
        return None
    chain_tx = ChainTransaction.objects.create(
        txid=signed.txid,
        raw_hex=signed.raw.hex(),
        size_bytes=signed.size,
        fee_koinu=signed.fee_koinu,
        change_vout=signed.change_vout,
        change_amount_koinu=signed.change_amount_koinu,
    )
    Utxo.objects.filter(id__in=[utxo.id for utxo in inputs]).update(reserved_by=chain_tx)
    if signed.change_vout is not None:
        assert signed.change_amount_koinu >= DUST_KOINU
        Utxo.objects.create(
            txid=signed.txid,
            vout=signed.change_vout,
            address=change_address,
            amount_koinu=signed.change_amount_koinu,
            source=Utxo.Source.CHANGE,
            created_by=chain_tx,
            is_spendable=False,
        )
    # The network fee is shared equally; the first withdrawals take the remainder koinu.
    share, remainder = divmod(signed.fee_koinu, len(withdrawals))
    for position, withdrawal in enumerate(withdrawals):
        withdrawal.status = Withdrawal.Status.SIGNED
        withdrawal.chain_tx = chain_tx
        withdrawal.vout = position
        withdrawal.network_fee_share_koinu = share + (1 if position < remainder else 0)
        withdrawal.save(update_fields=["status", "chain_tx", "vout", "network_fee_share_koinu"])
    logger.info(
        "signed %s paying %d withdrawal(s), %d inputs, %d bytes, fee %d koinu",
        signed.txid,
        len(withdrawals),
        len(inputs),
        signed.size,
        signed.fee_koinu,
    )
    return chain_tx


# -- broadcasting ---------------------------------------------------------------------------------------

_ALREADY_KNOWN = (
    "already in block chain",
    "txn-already-in-mempool",
    "txn-already-known",
    "already have transaction",
)
_MISSING_INPUTS = ("missing inputs", "missingorspent", "bad-txns-inputs-spent", "txn-mempool-conflict")


def chain_tx_broadcast(*, chain_tx_id: object, client: NodeClient, pause: Pause = _no_pause) -> str:
    """Send the stored transaction; return ``broadcast``, ``failed`` or ``retry``.

    ``broadcast`` when the node accepted it or already had it (in its mempool or a block): the
    transaction and its withdrawals move to ``broadcast`` (``withdrawal.broadcast`` once each).
    ``failed`` only when it can provably never confirm (see the module docstring). ``retry`` for
    everything else (node down, a policy refusal), with the error stored for operators.
    """
    chain_tx = ChainTransaction.objects.get(id=chain_tx_id)
    try:
        client.send_raw_transaction(chain_tx.raw_hex)
        accepted, error_text = True, ""
    except NodeUnavailable as error:
        logger.warning("node unavailable broadcasting %s: %s", chain_tx.txid, error)
        _record_attempt(chain_tx.id, error=str(error))
        return "retry"
    except RpcError as error:
        message = error.message.lower()
        accepted = error.code == RPC_VERIFY_ALREADY_IN_CHAIN or any(
            text in message for text in _ALREADY_KNOWN
        )
        error_text = f"{error.code}: {error.message}"
        if not accepted and client.get_raw_transaction(chain_tx.txid) is not None:
            accepted = True  # the node knows it (mined with all outputs spent, say)
        if not accepted:
            is_missing_inputs = error.code in (RPC_VERIFY_ERROR, RPC_VERIFY_REJECTED) and any(
                text in message for text in _MISSING_INPUTS
            )
            if is_missing_inputs and chain_tx_fail_if_conflicted(chain_tx_id=chain_tx.id, error=error_text):
                return "failed"
            logger.error("node refused our transaction %s: %s (will retry)", chain_tx.txid, error_text)
            _record_attempt(chain_tx.id, error=error_text)
            return "retry"
    pause("after_broadcast")
    _chain_tx_mark_broadcast(chain_tx.id, note=error_text)
    return "broadcast"


def _record_attempt(chain_tx_id: object, *, error: str) -> None:
    with transaction.atomic():
        chain_tx = ChainTransaction.objects.select_for_update().get(id=chain_tx_id)
        chain_tx.broadcast_attempts += 1
        chain_tx.last_broadcast_at = timezone.now()
        chain_tx.last_broadcast_error = error[:2000]
        chain_tx.save(update_fields=["broadcast_attempts", "last_broadcast_at", "last_broadcast_error"])


@transaction.atomic
def _chain_tx_mark_broadcast(chain_tx_id: object, *, note: str) -> None:
    chain_tx = ChainTransaction.objects.select_for_update().get(id=chain_tx_id)
    chain_tx.broadcast_attempts += 1
    chain_tx.last_broadcast_at = timezone.now()
    chain_tx.last_broadcast_error = note
    fields = ["broadcast_attempts", "last_broadcast_at", "last_broadcast_error"]
    if chain_tx.state == ChainTransaction.State.SIGNED:
        chain_tx.state = ChainTransaction.State.BROADCAST
        fields.append("state")
    chain_tx.save(update_fields=fields)
    for withdrawal in Withdrawal.objects.select_for_update().filter(
        chain_tx=chain_tx, status=Withdrawal.Status.SIGNED
    ):
        withdrawal.status = Withdrawal.Status.BROADCAST
        withdrawal.save(update_fields=["status"])
        events.withdrawal_broadcast_published(withdrawal, txid=chain_tx.txid)


@transaction.atomic
def chain_tx_fail_if_conflicted(*, chain_tx_id: object, error: str) -> bool:
    """Fail the transaction if another transaction spent one of its inputs in a block; else False.

    On failure: the transaction is ``failed``; each withdrawal's hold is voided (``withdrawal.failed``);
    its inputs not spent elsewhere are released for the next transaction; its change is never
    spendable.
    """
    chain_tx = ChainTransaction.objects.select_for_update().get(id=chain_tx_id)
    if (
        chain_tx.state not in (ChainTransaction.State.SIGNED, ChainTransaction.State.BROADCAST)
        or chain_tx.block_hash
    ):
        return False
    if chain_tx.settled_at is not None:
        # Settled, then reorged out and double-spent on the new chain: the ledger booked a payment
        # that will not happen. Never voided automatically; reconciliation shows it to a human.
        logger.critical("settled transaction %s can no longer confirm: %s", chain_tx.txid, error)
        return False
    inputs = list(Utxo.objects.select_for_update().filter(reserved_by=chain_tx))
    conflicts = [utxo for utxo in inputs if utxo.spent_txid is not None and utxo.spent_txid != chain_tx.txid]
    if not conflicts:
        return False
    now = timezone.now()
    reason = f"inputs spent by another transaction ({conflicts[0].spent_txid}); node said {error}"
    chain_tx.state = ChainTransaction.State.FAILED
    chain_tx.failed_at = now
    chain_tx.failure_reason = reason
    chain_tx.save(update_fields=["state", "failed_at", "failure_reason"])
    Utxo.objects.filter(reserved_by=chain_tx, spent_txid__isnull=True).update(reserved_by=None)
    for withdrawal in Withdrawal.objects.select_for_update().filter(
        chain_tx=chain_tx, status__in=[Withdrawal.Status.SIGNED, Withdrawal.Status.BROADCAST]
    ):
        booking.withdrawal_void(withdrawal)
        withdrawal.status = Withdrawal.Status.FAILED
        withdrawal.failed_at = now
        withdrawal.failure_reason = reason
        withdrawal.save(update_fields=["status", "failed_at", "failure_reason"])
        events.withdrawal_failed_published(withdrawal, reason="transaction_failed", txid=chain_tx.txid)
    logger.error("transaction %s failed: %s", chain_tx.txid, reason)
    return True
