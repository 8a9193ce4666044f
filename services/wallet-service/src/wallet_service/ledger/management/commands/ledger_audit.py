"""``manage.py ledger_audit``: check every invariant of the ledger; exit 1 if any is broken.

Recomputes every account's four counters from its transfers and compares them with the stored ones,
checks that posted and pending balances each sum to zero, that no wallet is overdrawn, that every
post/void fits its pending transfer and that corrections never exceed what they correct
(:func:`wallet_service.ledger.selectors.ledger_audit_findings`, one REPEATABLE READ snapshot).
Prints one JSON document; exit status 0 when sound, 1 when anything is off.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from wallet_service.ledger.models import Account, Transfer
from wallet_service.ledger.selectors import ledger_audit_findings


class Command(BaseCommand):
    help = (
        "Audit the ledger: counters equal the replay of transfers, sums are zero, no overdraft, "
        "resolutions and corrections fit. Prints JSON; exit status 1 on any finding."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        findings = ledger_audit_findings()
        report = {
            "status": "ok" if not findings else "mismatch",
            "accounts": Account.objects.count(),
            "transfers": Transfer.objects.count(),
            "findings": [{"check": finding.check, "detail": finding.detail} for finding in findings],
        }
        self.stdout.write(json.dumps(report, indent=2))
        if findings:
            raise CommandError(f"ledger audit found {len(findings)} problem(s)", returncode=1)
