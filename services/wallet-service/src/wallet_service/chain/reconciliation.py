"""Reconciliation: does the ledger's custody account match what the chain holds for us?

Ledger side: minus custody's posted balance (custody is debited by every credited deposit and
credited by every settled withdrawal), i.e. what the ledger says the chain holds.

Chain side: the outputs we track as ours and spendable (credited deposits, change of settled
transactions), each checked on the node with ``gettxout [txid, n, false]`` — unspent in the chain's
UTXO set (mempool spends ignored) — and valued at what the node says.

In flight: our transactions mined but not yet settled (fewer than WITHDRAWAL_CONFIRMATIONS): their
inputs are already spent on chain while the ledger still counts them. Transactions signed or
broadcast but not mined spend nothing on chain yet, so they need no adjustment; they are listed.

Settled but not in the best chain: a reorg deeper than WITHDRAWAL_CONFIRMATIONS took out the block
of a transaction whose withdrawals the ledger had already posted (the follower moved it back to
``broadcast``; it is normally mined again from the mempool). The ledger counts the payment as gone
while its inputs are still unspent on chain and its change does not exist yet, so its inputs minus
its change are added back to the ledger side, and each such transaction is listed
(``settled_not_in_best_chain``) and makes the report unbalanced: a critical alert until it is mined
again. A ``confirmed`` transaction whose block the follower orphaned is listed there too.

    drift = ledger custody - chain outputs - inputs of mined, unsettled transactions
            + (inputs - change) of settled transactions outside the best chain

Anything non-zero is an alert: an output spent by a transaction that is not ours, a credit without
a chain output, a missed block. ``manage.py reconcile`` prints the report and exits 1 on drift.

Possible double withdrawals: every withdrawal since the Idempotency-Key became its identity has an
id derived from (user, key) and a UNIQUE (user, key), so one key can never make two. Rows from
before that (no key recorded) are checked: two of one user to the same address for the same amount
within a day are listed in ``suspected_duplicate_withdrawals`` for a human (informational: a user
may really mean to send the same amount twice).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Q, Sum

from wallet_service.chain.models import ChainBlock, ChainTransaction, ReconciliationRun, Utxo, Withdrawal
from wallet_service.chain.rpc import NodeClient, RpcError, koinu_from_coins
from wallet_service.chain.selectors import chain_tip
from wallet_service.ledger.chart import PlatformAccount
from wallet_service.ledger.models import Account


@dataclass
class InFlight:
    txid: str
    state: str
    is_mined: bool
    inputs_koinu: int
    fee_koinu: int
    withdrawals: int


@dataclass
class MissingOutput:
    txid: str
    vout: int
    amount_koinu: int
    reason: str


@dataclass
class OffChainSettlement:
    txid: str
    state: str
    block_hash: str | None
    inputs_koinu: int
    change_koinu: int
    withdrawals: int


@dataclass
class SuspectedDuplicate:
    user_id: str
    address: str
    amount_koinu: int
    withdrawal_ids: list[str]


@dataclass
class ReconciliationReport:
    ledger_custody_koinu: int
    chain_outputs_koinu: int
    chain_output_count: int
    mined_unsettled_koinu: int
    drift_koinu: int
    follower_height: int | None
    node_best_block: str
    in_flight: list[InFlight] = field(default_factory=list)
    missing_outputs: list[MissingOutput] = field(default_factory=list)
    settled_unmined_koinu: int = 0
    settled_not_in_best_chain: list[OffChainSettlement] = field(default_factory=list)
    suspected_duplicate_withdrawals: list[SuspectedDuplicate] = field(default_factory=list)

    @property
    def is_balanced(self) -> bool:
        return self.drift_koinu == 0 and not self.missing_outputs and not self.settled_not_in_best_chain

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "is_balanced": self.is_balanced}


class ChainMoved(Exception):  # noqa: N818
    """A block arrived while reconciling, or the follower is behind the node: try again."""


def reconciliation_report(*, client: NodeClient, attempts: int = 5) -> ReconciliationReport:
    """Compare ledger custody with our outputs on chain (see the module docstring).

    Reads the database in one REPEATABLE READ snapshot and retries when the node's best block changed
    during the run or differs from the follower's tip, so a block arriving mid-run is not reported
    as drift. Raises :class:`ChainMoved` if the chain never held still.
    """
    for _ in range(attempts):
        best_before = client.get_best_block_hash()
        try:
            report = _report_once(client, best_before)
        except ChainMoved:
            continue
        if client.get_best_block_hash() == best_before:
            return report
    raise ChainMoved("the chain kept moving (or the follower is behind); run again")


def _report_once(client: NodeClient, best_hash: str) -> ReconciliationReport:
    is_outermost = not connection.in_atomic_block
    with transaction.atomic():
        if is_outermost:  # one snapshot for every read below (inside a caller's transaction: theirs)
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        tip = chain_tip()
        if tip is None or tip.hash != best_hash:
            raise ChainMoved
        custody = Account.objects.filter(id=PlatformAccount.CUSTODY.account_id).first()
        ledger_custody = 0 if custody is None else custody.debits_posted - custody.credits_posted
        outputs = list(Utxo.objects.filter(is_spendable=True).order_by("id"))
        our_txids = dict(
            ChainTransaction.objects.filter(
                id__in={u.reserved_by_id for u in outputs if u.reserved_by_id}
            ).values_list("id", "txid")
        )
        unsettled = list(
            ChainTransaction.objects.filter(
                state__in=[ChainTransaction.State.SIGNED, ChainTransaction.State.BROADCAST],
                settled_at__isnull=True,
            ).order_by("created_at")
        )
        live_hashes = ChainBlock.objects.filter(orphaned_at__isnull=True).values("hash")
        off_chain = list(
            ChainTransaction.objects.filter(settled_at__isnull=False)
            .exclude(state=ChainTransaction.State.FAILED)
            .filter(Q(block_hash__isnull=True) | ~Q(block_hash__in=live_hashes))
            .order_by("created_at")
        )
        off_chain_inputs = {
            row["reserved_by"]: int(row["total"])
            for row in Utxo.objects.filter(reserved_by__in=[tx.id for tx in off_chain])
            .values("reserved_by")
            .annotate(total=Sum("amount_koinu"))
        }
        off_chain_withdrawals = {
            row["chain_tx"]: int(row["count"])
            for row in Withdrawal.objects.filter(chain_tx__in=[tx.id for tx in off_chain])
            .values("chain_tx")
            .annotate(count=Count("id"))
        }
        duplicates = _suspected_duplicates()
        inputs_by_tx = {
            row["reserved_by"]: int(row["total"])
            for row in Utxo.objects.filter(reserved_by__in=[tx.id for tx in unsettled])
            .values("reserved_by")
            .annotate(total=Sum("amount_koinu"))
        }
        withdrawals_by_tx = {
            row["chain_tx"]: int(row["count"])
            for row in Withdrawal.objects.filter(chain_tx__in=[tx.id for tx in unsettled])
            .values("chain_tx")
            .annotate(count=Count("id"))
        }

    answers = client.batch([("gettxout", (utxo.txid, utxo.vout, False)) for utxo in outputs])
    mined_unsettled_ids = {tx.id for tx in unsettled if tx.block_hash is not None}
    chain_total = 0
    count = 0
    missing: list[MissingOutput] = []
    for utxo, answer in zip(outputs, answers, strict=True):
        if isinstance(answer, RpcError):
            raise answer
        if answer is None:
            if utxo.reserved_by_id in mined_unsettled_ids:
                continue  # spent by our own mined transaction: counted in flight
            if utxo.spent_txid is not None and our_txids.get(utxo.reserved_by_id) != utxo.spent_txid:
                reason = f"spent by {utxo.spent_txid}, which is not our transaction"
            else:
                reason = "not in the node's UTXO set"
            missing.append(MissingOutput(utxo.txid, utxo.vout, utxo.amount_koinu, reason))
            continue
        value = koinu_from_coins(answer["value"])
        if value != utxo.amount_koinu:
            missing.append(
                MissingOutput(utxo.txid, utxo.vout, utxo.amount_koinu, f"the node says {value} koinu")
            )
        chain_total += value
        count += 1
    mined_unsettled = sum(inputs_by_tx.get(tx_id, 0) for tx_id in mined_unsettled_ids)
    # Settled, then reorged out and back in the mempool: the chain still holds its inputs and not its
    # change; the ledger booked the payment (see the module docstring).
    settled_unmined = sum(
        off_chain_inputs.get(tx.id, 0) - tx.change_amount_koinu for tx in off_chain if tx.block_hash is None
    )
    return ReconciliationReport(
        ledger_custody_koinu=ledger_custody,
        chain_outputs_koinu=chain_total,
        chain_output_count=count,
        mined_unsettled_koinu=mined_unsettled,
        drift_koinu=ledger_custody - chain_total - mined_unsettled + settled_unmined,
        follower_height=tip.height,
        node_best_block=best_hash,
        in_flight=[
            InFlight(
                txid=tx.txid,
                state=tx.state,
                is_mined=tx.block_hash is not None,
                inputs_koinu=inputs_by_tx.get(tx.id, 0),
                fee_koinu=tx.fee_koinu,
                withdrawals=withdrawals_by_tx.get(tx.id, 0),
            )
            for tx in unsettled
        ],
        missing_outputs=missing,
        settled_unmined_koinu=settled_unmined,
        settled_not_in_best_chain=[
            OffChainSettlement(
                txid=tx.txid,
                state=tx.state,
                block_hash=tx.block_hash,
                inputs_koinu=off_chain_inputs.get(tx.id, 0),
                change_koinu=tx.change_amount_koinu,
                withdrawals=off_chain_withdrawals.get(tx.id, 0),
            )
            for tx in off_chain
        ],
        suspected_duplicate_withdrawals=duplicates,
    )


def _suspected_duplicates() -> list[SuspectedDuplicate]:
    """Withdrawals without a recorded key (made before keys were their identity): two of one user to
    one address for one amount within a day. Withdrawals with a key cannot repeat (UNIQUE)."""
    rows = (
        Withdrawal.objects.filter(idempotency_key__isnull=True)
        .exclude(status__in=[Withdrawal.Status.FAILED, Withdrawal.Status.REJECTED])
        .order_by("user_id", "address", "amount_koinu", "created_at")
        .values_list("id", "user_id", "address", "amount_koinu", "created_at")
    )
    found: dict[tuple[str, str, int], set[str]] = {}
    previous: tuple[Any, ...] | None = None
    for row in rows:
        if previous is not None and previous[1:4] == row[1:4] and row[4] - previous[4] <= timedelta(days=1):
            found.setdefault((str(row[1]), row[2], row[3]), set()).update([str(previous[0]), str(row[0])])
        previous = row
    return [
        SuspectedDuplicate(user_id=user, address=address, amount_koinu=amount, withdrawal_ids=sorted(ids))
        for (user, address, amount), ids in sorted(found.items())
    ]


def reconciliation_run(*, client: NodeClient, attempts: int = 5) -> ReconciliationReport:
    """Reconcile and record the outcome (:class:`ReconciliationRun`) for staff; re-raises a failure
    to reconcile after recording it."""
    try:
        report = reconciliation_report(client=client, attempts=attempts)
    except Exception as error:
        ReconciliationRun.objects.create(is_balanced=False, drift_koinu=None, report={"error": str(error)})
        raise
    ReconciliationRun.objects.create(
        is_balanced=report.is_balanced, drift_koinu=report.drift_koinu, report=report.as_dict()
    )
    return report
