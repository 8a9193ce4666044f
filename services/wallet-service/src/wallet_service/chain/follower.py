"""The chain follower: walks the node's best chain one block at a time and books what it finds.

One block is one database transaction: the block row (height, hash, previous hash), every output
paying our addresses (a Deposit, keyed UNIQUE by (txid, vout)), every spend of our outputs, our own
transactions' block, and everything that block completes — deposits reaching their confirmations
(credited custody → wallet) and our withdrawals reaching theirs (posted) — commit together or not
at all. A crash between blocks leaves a consistent prefix of the chain; the next step continues.

Reorgs: before applying a block, the follower compares its own tip with the node's hash at that
height. While they differ it undoes its tip (one transaction per block): the block is marked
orphaned; its deposits go back to ``pending`` (credited ones are reversed first — see
:func:`wallet_service.chain.booking.deposit_reverse`); spends it recorded are forgotten. Then it
applies the node's branch from the fork point. A deposit re-mined on the new branch is credited
again only after its reversal, under a new transfer id, so the net credit is exactly one.

Concurrency: every block transaction takes a PostgreSQL advisory lock and re-checks the tip it
builds on, so two followers (or a test calling :func:`chain_follow_step` next to a running
``follow_chain``) can never apply the same height twice; the partial UNIQUE on heights backs it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import Q
from django.utils import timezone

from wallet_service.chain import booking, events
from wallet_service.chain.keys import pubkey_hash_of_p2pkh_script
from wallet_service.chain.models import ChainBlock, ChainTransaction, Deposit, Utxo, WalletAddress, Withdrawal
from wallet_service.chain.rpc import NodeClient, koinu_from_coins, node_client
from wallet_service.chain.selectors import chain_tip, confirmations_at, required_confirmations

logger = logging.getLogger(__name__)

FOLLOWER_LOCK_KEY = 0x64426179_0001  # "dBay" + 1: the follower's advisory lock


class TipMoved(Exception):  # noqa: N818
    """Another follower changed the tip while this one was fetching: start the step over."""


@dataclass
class FollowerState:
    """What the follower remembers between steps (in memory only: losing it costs one rescan)."""

    #: txids of the node's mempool already examined, so each is fetched once.
    mempool_seen: set[str] = field(default_factory=set)


@dataclass
class StepResult:
    blocks_applied: int = 0
    blocks_undone: int = 0
    deposits_detected: int = 0
    deposits_credited: int = 0
    deposits_reversed: int = 0
    withdrawals_confirmed: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.blocks_applied or self.blocks_undone or self.deposits_detected)

    def add(self, other: StepResult) -> None:
        for name in vars(other):
            setattr(self, name, getattr(self, name) + getattr(other, name))


_default_state = FollowerState()


def chain_follow_step(
    *, client: NodeClient | None = None, state: FollowerState | None = None, max_blocks: int = 100
) -> StepResult:
    """Bring the database up to the node's best chain (at most ``max_blocks`` blocks), then scan the mempool.

    Safe to call any time and from several processes; each block is its own transaction. Raises
    :class:`~wallet_service.chain.rpc.NodeUnavailable` when the node cannot be reached (nothing
    half-done: the block being applied rolls back).
    """
    client = client or node_client()
    state = state if state is not None else _default_state
    result = StepResult()
    for _ in range(max_blocks):
        best_hash = client.get_best_block_hash()
        tip = chain_tip()
        if tip is not None and tip.hash == best_hash:
            break
        try:
            if tip is None:
                result.add(_apply_first_block(client))
            elif client.get_block_hash(tip.height) != tip.hash:
                result.add(_undo_tip(tip))
            else:
                next_hash = client.get_block_hash(tip.height + 1)
                if next_hash is not None:
                    result.add(_apply_block(client, next_hash, expected_tip=tip))
                # else: the node moved to another chain between our calls; compare again.
        except TipMoved:
            continue
    tip = chain_tip()
    if tip is not None and tip.hash == client.get_best_block_hash():
        result.add(_scan_mempool(client, state, tip_hash=tip.hash))
    return result


# -- applying a block ----------------------------------------------------------------------------------


def _lock_and_check_tip(expected: ChainBlock | None) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [FOLLOWER_LOCK_KEY])
    current = chain_tip()
    if (current.hash if current else None) != (expected.hash if expected else None):
        raise TipMoved


def _apply_first_block(client: NodeClient) -> StepResult:
    start = settings.CHAIN_START_HEIGHT
    height = client.get_block_count() if start is None else int(start)
    block_hash = client.get_block_hash(height)
    if block_hash is None:
        raise ValueError(f"CHAIN_START_HEIGHT {height} is above the node's tip")
    logger.info("chain follower starts at height %s (%s)", height, block_hash)
    return _apply_block(client, block_hash, expected_tip=None)


def _apply_block(client: NodeClient, block_hash: str, *, expected_tip: ChainBlock | None) -> StepResult:
    block = client.get_block(block_hash)
    height = int(block["height"])
    prev_hash = str(block.get("previousblockhash") or "0" * 64)
    if expected_tip is not None and (prev_hash != expected_tip.hash or height != expected_tip.height + 1):
        raise TipMoved  # the node reorganised between getblockhash and getblock
    txids = [str(txid) for txid in block["tx"]]
    transactions = client.get_raw_transactions(txids)
    missing = [txid for txid in txids if txid not in transactions]
    if missing:
        raise ValueError(f"block {block_hash} lists transactions the node cannot return: {missing[:3]}")
    ordered = [transactions[txid] for txid in txids]
    with transaction.atomic():
        _lock_and_check_tip(expected_tip)
        ChainBlock.objects.create(height=height, hash=block_hash, prev_hash=prev_hash)
        result = _record_block_transactions(ordered, height=height, block_hash=block_hash)
        result.blocks_applied = 1
        result.add(_settle(height))
    return result


def _is_coinbase(tx: dict[str, Any]) -> bool:
    vin = tx.get("vin") or []
    return bool(vin) and "coinbase" in vin[0]


def _our_outputs(
    transactions: Iterable[dict[str, Any]],
) -> list[tuple[dict[str, Any], dict[str, Any], WalletAddress]]:
    """(tx, output, address) for every non-coinbase output paying one of our P2PKH addresses."""
    candidates: list[tuple[dict[str, Any], dict[str, Any], str]] = []
    for tx in transactions:
        if _is_coinbase(tx):
            continue  # coinbase outputs never pay our addresses; if one did it would be immature
        for output in tx.get("vout", []):
            pubkey_hash = pubkey_hash_of_p2pkh_script(bytes.fromhex(output["scriptPubKey"]["hex"]))
            if pubkey_hash is not None:
                candidates.append((tx, output, pubkey_hash.hex()))
    if not candidates:
        return []
    addresses = {
        address.pubkey_hash: address
        for address in WalletAddress.objects.filter(
            pubkey_hash__in={hash_hex for _, _, hash_hex in candidates}
        )
    }
    return [(tx, output, addresses[hash_hex]) for tx, output, hash_hex in candidates if hash_hex in addresses]


def _record_block_transactions(
    transactions: list[dict[str, Any]], *, height: int, block_hash: str
) -> StepResult:
    result = StepResult()
    txids = [str(tx["txid"]) for tx in transactions]
    ours = {
        chain_tx.txid: chain_tx
        for chain_tx in ChainTransaction.objects.select_for_update().filter(txid__in=txids)
    }
    for chain_tx in ours.values():
        if chain_tx.block_hash is None:
            chain_tx.block_height, chain_tx.block_hash = height, block_hash
            chain_tx.save(update_fields=["block_height", "block_hash"])
    for tx, output, address in _our_outputs(transactions):
        txid, vout = str(tx["txid"]), int(output["n"])
        own_tx = ours.get(txid)
        if own_tx is not None and own_tx.change_vout == vout:
            continue  # our own change: tracked as a Utxo since signing, spendable once confirmed
        if _deposit_seen(txid=txid, vout=vout, output=output, address=address, block=(height, block_hash)):
            result.deposits_detected += 1
    # Spends of our outputs (our withdrawals, or anything else: reconciliation reports those).
    outpoints = [
        (str(vin["txid"]), int(vin["vout"]), str(tx["txid"]))
        for tx in transactions
        if not _is_coinbase(tx)
        for vin in tx.get("vin", [])
    ]
    if outpoints:
        spent_by = {(txid, vout): spender for txid, vout, spender in outpoints}
        candidates = Utxo.objects.select_for_update(of=("self",)).select_related("reserved_by")
        for utxo in candidates.filter(txid__in={txid for txid, _, _ in outpoints}):
            spender = spent_by.get((utxo.txid, utxo.vout))
            if spender is None:
                continue
            if utxo.reserved_by is None or utxo.reserved_by.txid != spender:
                logger.error(
                    "our output %s:%s was spent by %s, which is not our transaction for it",
                    utxo.txid,
                    utxo.vout,
                    spender,
                )
            utxo.spent_txid, utxo.spent_block_hash = spender, block_hash
            utxo.save(update_fields=["spent_txid", "spent_block_hash"])
    return result


def _deposit_seen(
    *, txid: str, vout: int, output: dict[str, Any], address: WalletAddress, block: tuple[int, str] | None
) -> bool:
    """Record an output paying ``address`` (in a block, or in the mempool when ``block`` is None).

    Returns True when the deposit is new (and ``deposit.detected`` was published).
    """
    amount = koinu_from_coins(output["value"])
    deposit = Deposit.objects.select_for_update().filter(txid=txid, vout=vout).first()
    now = timezone.now()
    if deposit is None:
        deposit = Deposit.objects.create(
            txid=txid,
            vout=vout,
            address=address,
            user_id=address.user_id,
            amount_koinu=amount,
            status=Deposit.Status.CONFIRMING if block else Deposit.Status.PENDING,
            block_height=block[0] if block else None,
            block_hash=block[1] if block else None,
        )
        if deposit.user_id is not None:
            events.deposit_detected_published(
                deposit,
                confirmations=1 if block else 0,
                required_confirmations=required_confirmations(amount_koinu=amount),
            )
        else:
            logger.warning(
                "unattributed receipt %s:%s of %s koinu to change address %s", txid, vout, amount, address
            )
        return True
    if deposit.amount_koinu != amount or deposit.address_id != address.id:
        raise ValueError(f"output {txid}:{vout} changed amount or address: the node disagrees with itself")
    if block is not None and deposit.status in (Deposit.Status.PENDING, Deposit.Status.DROPPED):
        deposit.status = Deposit.Status.CONFIRMING
        deposit.block_height, deposit.block_hash = block
        deposit.updated_at = now
        deposit.save(update_fields=["status", "block_height", "block_hash", "updated_at"])
    elif block is None and deposit.status == Deposit.Status.DROPPED:
        deposit.status = Deposit.Status.PENDING
        deposit.updated_at = now
        deposit.save(update_fields=["status", "updated_at"])
    return False


# -- what a new block completes --------------------------------------------------------------------------


def _settle(height: int) -> StepResult:
    """Credit deposits and confirm our transactions that reach their confirmations at ``height``."""
    result = StepResult()
    confirming = (
        Deposit.objects.select_for_update()
        .filter(status=Deposit.Status.CONFIRMING)
        .order_by("block_height", "id")
    )
    for deposit in confirming:
        confirmations = confirmations_at(block_height=deposit.block_height, tip_height=height)
        if confirmations >= required_confirmations(amount_koinu=deposit.amount_koinu):
            _deposit_credit(deposit, confirmations=confirmations)
            result.deposits_credited += 1
    minimum_height = height - int(settings.WITHDRAWAL_CONFIRMATIONS) + 1
    # A settled transaction mined again after a reorg is confirmed again at once: the ledger has
    # already booked it, and reconciliation counts it as settled only while it is in a block.
    due = ChainTransaction.objects.select_for_update().filter(
        Q(block_height__lte=minimum_height) | Q(settled_at__isnull=False),
        state__in=[ChainTransaction.State.SIGNED, ChainTransaction.State.BROADCAST],
        block_height__isnull=False,
    )
    for chain_tx in due:
        assert chain_tx.block_height is not None  # filtered above
        result.withdrawals_confirmed += _chain_tx_confirm(
            chain_tx, confirmations=height - chain_tx.block_height + 1
        )
    return result


def _deposit_credit(deposit: Deposit, *, confirmations: int) -> None:
    credit_number = deposit.times_credited + 1
    transfer_id = booking.deposit_credit(deposit, credit_number=credit_number)
    now = timezone.now()
    deposit.status = Deposit.Status.CREDITED
    deposit.times_credited = credit_number
    deposit.credited_at = now
    deposit.updated_at = now
    deposit.save(update_fields=["status", "times_credited", "credited_at", "updated_at"])
    utxo, created = Utxo.objects.get_or_create(
        txid=deposit.txid,
        vout=deposit.vout,
        defaults={
            "address": deposit.address,
            "amount_koinu": deposit.amount_koinu,
            "source": Utxo.Source.DEPOSIT,
            "deposit": deposit,
            "is_spendable": True,
        },
    )
    if not created and not utxo.is_spendable and utxo.reserved_by_id is None:
        # Credited again after a reorg. An output one of our transactions already spends stays out.
        utxo.is_spendable = True
        utxo.save(update_fields=["is_spendable"])
    if deposit.user_id is not None:
        events.deposit_confirmed_published(
            deposit, confirmations=confirmations, transfer_id=transfer_id, credit_number=credit_number
        )


def _chain_tx_confirm(chain_tx: ChainTransaction, *, confirmations: int) -> int:
    """Our transaction has its confirmations: settle each withdrawal it pays; its change becomes spendable."""
    assert chain_tx.block_height is not None
    withdrawals = list(
        Withdrawal.objects.select_for_update()
        .filter(chain_tx=chain_tx, status__in=[Withdrawal.Status.SIGNED, Withdrawal.Status.BROADCAST])
        .order_by("id")
    )
    now = timezone.now()
    for withdrawal in withdrawals:
        if withdrawal.status == Withdrawal.Status.SIGNED:
            # Mined before the signer recorded its broadcast (it crashed, or another node relayed it).
            events.withdrawal_broadcast_published(withdrawal, txid=chain_tx.txid)
        booking.withdrawal_settle(withdrawal, txid=chain_tx.txid)
        withdrawal.status = Withdrawal.Status.CONFIRMED
        withdrawal.confirmed_at = now
        withdrawal.save(update_fields=["status", "confirmed_at"])
        events.withdrawal_confirmed_published(
            withdrawal, txid=chain_tx.txid, block_height=chain_tx.block_height, confirmations=confirmations
        )
    chain_tx.state = ChainTransaction.State.CONFIRMED
    chain_tx.confirmed_at = now
    chain_tx.settled_at = chain_tx.settled_at or now
    chain_tx.save(update_fields=["state", "confirmed_at", "settled_at"])
    Utxo.objects.filter(reserved_by=chain_tx).update(is_spendable=False)  # spent by it, for good
    Utxo.objects.filter(created_by=chain_tx).update(is_spendable=True)
    return len(withdrawals)


# -- undoing a block ------------------------------------------------------------------------------------


def _undo_tip(tip: ChainBlock) -> StepResult:
    """Undo our tip block, which is no longer on the node's best chain (one transaction)."""
    result = StepResult(blocks_undone=1)
    with transaction.atomic():
        _lock_and_check_tip(tip)
        logger.warning("reorg: undoing block %s at height %s", tip.hash, tip.height)
        now = timezone.now()
        tip.orphaned_at = now
        tip.save(update_fields=["orphaned_at"])
        for deposit in Deposit.objects.select_for_update().filter(block_hash=tip.hash).order_by("id"):
            was_credited = deposit.status == Deposit.Status.CREDITED
            if was_credited:
                _deposit_reverse(deposit, orphaned_block_hash=tip.hash)  # sets the counters, saves nothing
                result.deposits_reversed += 1
            deposit.status = Deposit.Status.PENDING  # the mempool scan drops it if the node lost it
            deposit.block_height = deposit.block_hash = None
            deposit.updated_at = now
            fields = ["status", "block_height", "block_hash", "updated_at"]
            if was_credited:
                fields += ["times_reversed", "shortfall_koinu", "reversed_at"]
            deposit.save(update_fields=fields)  # one write: the credit-balance CHECK holds throughout
            if was_credited:
                # Not spendable any more; a transaction of ours already spending it cannot confirm
                # until the deposit is mined again.
                Utxo.objects.filter(deposit=deposit).update(is_spendable=False)
        Utxo.objects.filter(spent_block_hash=tip.hash).update(spent_txid=None, spent_block_hash=None)
        for chain_tx in ChainTransaction.objects.select_for_update().filter(block_hash=tip.hash):
            if chain_tx.state == ChainTransaction.State.CONFIRMED:
                _chain_tx_unconfirm(chain_tx, orphaned_block_hash=tip.hash)
                continue
            chain_tx.block_height = chain_tx.block_hash = None
            chain_tx.save(update_fields=["block_height", "block_hash"])
    return result


def _chain_tx_unconfirm(chain_tx: ChainTransaction, *, orphaned_block_hash: str) -> None:
    """Our settled transaction's block left the best chain (a reorg deeper than WITHDRAWAL_CONFIRMATIONS).

    The payment is not undone: the transaction was signed and sent, it is back in the node's
    mempool (and the signer rebroadcasts an unmined ``broadcast`` transaction), so it will almost
    surely be mined again; giving the user the money back could pay twice. So the ledger keeps its
    settlement, and the chain rows tell the truth: the transaction is ``broadcast`` and unmined again
    (``settled_at`` kept: it was settled), its withdrawals ``broadcast`` with 0 confirmations
    (``withdrawal.unconfirmed`` each), its inputs back in our tracked outputs (unspent on chain) and
    its change not spendable. When the new chain mines it, :func:`_settle` confirms it again; the
    settlement transfers are idempotent by id, so nothing is booked twice. Until then reconciliation
    reports it as a settled transaction outside the best chain (critical).
    """
    logger.critical(
        "reorg orphaned block %s holding our settled transaction %s: back to broadcast until re-mined",
        orphaned_block_hash,
        chain_tx.txid,
    )
    chain_tx.state = ChainTransaction.State.BROADCAST
    chain_tx.block_height = chain_tx.block_hash = None
    chain_tx.save(update_fields=["state", "block_height", "block_hash"])
    # Its inputs are unspent on chain again (those whose own deposit is still credited), its change is not.
    Utxo.objects.filter(reserved_by=chain_tx).filter(
        Q(source=Utxo.Source.CHANGE) | Q(deposit__status=Deposit.Status.CREDITED)
    ).update(is_spendable=True)
    Utxo.objects.filter(created_by=chain_tx).update(is_spendable=False)
    for withdrawal in Withdrawal.objects.select_for_update().filter(
        chain_tx=chain_tx, status=Withdrawal.Status.CONFIRMED
    ):
        withdrawal.status = Withdrawal.Status.BROADCAST
        withdrawal.save(update_fields=["status"])
        events.withdrawal_unconfirmed_published(
            withdrawal, txid=chain_tx.txid, orphaned_block_hash=orphaned_block_hash
        )


def _deposit_reverse(deposit: Deposit, *, orphaned_block_hash: str) -> None:
    reversal_number = deposit.times_reversed + 1
    reversal = booking.deposit_reverse(
        deposit, reversal_number=reversal_number, orphaned_block_hash=orphaned_block_hash
    )
    deposit.times_reversed = reversal_number
    deposit.shortfall_koinu += reversal.shortfall_koinu
    deposit.reversed_at = timezone.now()
    if deposit.user_id is not None:
        events.deposit_reversed_published(
            deposit,
            orphaned_block_hash=orphaned_block_hash,
            recovered_koinu=reversal.recovered_koinu,
            shortfall_koinu=reversal.shortfall_koinu,
            is_account_frozen=reversal.account_frozen,
        )


# -- the mempool ----------------------------------------------------------------------------------------


def _scan_mempool(client: NodeClient, state: FollowerState, *, tip_hash: str) -> StepResult:
    """Show unconfirmed deposits as incoming (0 confirmations); drop the ones the node forgot."""
    result = StepResult()
    mempool = client.get_raw_mempool()
    # A block found between our tip check and getrawmempool took transactions out of the mempool
    # that we have not seen mined yet: do not mistake them for dropped ones.
    is_tip_current = client.get_best_block_hash() == tip_hash
    current = set(mempool)
    new = [txid for txid in mempool if txid not in state.mempool_seen]
    transactions = client.get_raw_transactions(new) if new else {}
    state.mempool_seen = current
    outputs = _our_outputs(transactions.values())
    with transaction.atomic():
        for tx, output, address in outputs:
            txid = str(tx["txid"])
            if ChainTransaction.objects.filter(txid=txid, change_vout=int(output["n"])).exists():
                continue
            if _deposit_seen(txid=txid, vout=int(output["n"]), output=output, address=address, block=None):
                result.deposits_detected += 1
        # Pending deposits the node no longer has in its mempool (evicted, replaced, or mined in a
        # block we will process next: then the block moves them on to confirming).
        if is_tip_current:
            pending = Deposit.objects.filter(status=Deposit.Status.PENDING).values_list("id", "txid")
            gone = [deposit_id for deposit_id, txid in pending if txid not in current]
            if gone:
                Deposit.objects.filter(id__in=gone, status=Deposit.Status.PENDING).update(
                    status=Deposit.Status.DROPPED, updated_at=timezone.now()
                )
    return result


# -- the loop ------------------------------------------------------------------------------------------


def follow_forever(*, should_stop: Any, poll_interval_s: float, client: NodeClient | None = None) -> None:
    """Run :func:`chain_follow_step` until ``should_stop()``; poll the best block every ``poll_interval_s``.

    Node outages are logged and retried with a capped backoff; database errors likewise (the block in
    progress rolled back).
    """
    client = client or node_client()
    state = FollowerState()
    backoff_s = poll_interval_s
    while not should_stop():
        try:
            result = chain_follow_step(client=client, state=state)
            backoff_s = poll_interval_s
            if result.changed:
                logger.info("chain follower: %s", result)
                continue
        except Exception:
            logger.exception("chain follower step failed; retrying in %.1f s", backoff_s)
            close_old_connections()  # a database that restarted leaves an unusable connection
            backoff_s = min(30.0, backoff_s * 2)
            _sleep_unless_stopped(backoff_s, should_stop)
            continue
        _sleep_unless_stopped(poll_interval_s, should_stop)


def _sleep_unless_stopped(seconds: float, should_stop: Any) -> None:
    deadline = time.monotonic() + seconds
    while not should_stop() and time.monotonic() < deadline:
        time.sleep(min(0.05, max(0.0, deadline - time.monotonic())))
