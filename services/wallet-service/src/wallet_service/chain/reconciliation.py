"""Reconciliation: does the ledger's custody account match what the chain holds for us?

Ledger side: minus custody's posted balance (custody is debited by every credited deposit and
credited by every settled withdrawal), i.e. what the ledger says the chain holds.

Chain side: the outputs we track as ours and spendable (credited deposits, change of settled
transactions), each checked on the node with ``gettxout [txid, n, false]`` — unspent in the chain's
UTXO set (mempool spends ignored) — and valued at what the node says.

In flight: our transactions mined but not yet settled (fewer than WITHDRAWAL_CONFIRMATIONS): their
inputs are already spent on chain while the ledger still counts them. Transactions signed or
broadcast but not mined spend nothing on chain yet, so they need no adjustment; they are listed.

    drift = ledger custody - chain outputs - inputs of mined, unsettled transactions

Anything non-zero is an alert: an output spent by a transaction that is not ours, a credit without
a chain output, a missed block. ``manage.py reconcile`` prints the report and exits 1 on drift.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Sum

from wallet_service.chain.models import ChainTransaction, Utxo, Withdrawal
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

    @property
    def is_balanced(self) -> bool:
        return self.drift_koinu == 0 and not self.missing_outputs

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
                state__in=[ChainTransaction.State.SIGNED, ChainTransaction.State.BROADCAST]
            ).order_by("created_at")
        )
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
    return ReconciliationReport(
        ledger_custody_koinu=ledger_custody,
        chain_outputs_koinu=chain_total,
        chain_output_count=count,
        mined_unsettled_koinu=mined_unsettled,
        drift_koinu=ledger_custody - chain_total - mined_unsettled,
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
    )
