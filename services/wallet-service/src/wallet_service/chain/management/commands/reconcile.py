"""``manage.py reconcile``: ledger custody vs our outputs on chain; exit 1 on drift, 2 if it cannot tell."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from wallet_service.chain.reconciliation import ChainMoved, reconciliation_run
from wallet_service.chain.rpc import NodeError, node_client


class Command(BaseCommand):
    help = (
        "Compare the ledger's custody balance with the value of our unspent outputs on the node (listing "
        "transactions in flight). Prints a JSON report; exit status 0 balanced, 1 drift, 2 could not "
        "reconcile."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--attempts", type=int, default=5, help="retries while blocks keep arriving")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = reconciliation_run(client=node_client(), attempts=options["attempts"])
        except (ChainMoved, NodeError) as error:
            self.stderr.write(f"could not reconcile: {error}")
            raise SystemExit(2) from None
        self.stdout.write(json.dumps(report.as_dict(), indent=2, sort_keys=True))
        if report.suspected_duplicate_withdrawals:
            self.stderr.write(
                f"{len(report.suspected_duplicate_withdrawals)} group(s) of possible double withdrawals "
                "(same user, address and amount within a day, made before keys were recorded)"
            )
        if not report.is_balanced:
            self.stderr.write(
                f"DRIFT: ledger custody {report.ledger_custody_koinu} koinu, chain "
                f"{report.chain_outputs_koinu} koinu, in flight {report.mined_unsettled_koinu} koinu: "
                f"drift {report.drift_koinu} koinu, {len(report.missing_outputs)} missing output(s), "
                f"{len(report.settled_not_in_best_chain)} settled transaction(s) outside the best chain"
            )
            raise SystemExit(1)
