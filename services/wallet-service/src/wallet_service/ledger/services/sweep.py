"""The expiry sweep: void every pending transfer whose timeout has passed, exactly once."""

from __future__ import annotations

from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from wallet_service.ledger.chart import EXPIRED_REASON, expiry_void_id
from wallet_service.ledger.errors import (
    PendingTransferAlreadyPosted,
    PendingTransferAlreadyVoided,
    PendingTransferExpired,
)
from wallet_service.ledger.services._apply import AlreadyExists, apply
from wallet_service.ledger.services._prepare import Prepared
from wallet_service.ledger.services._statements import VOID_PENDING, lock_accounts


def transfers_void_expired(*, now: datetime | None = None, batch_size: int = 500) -> int:
    """Void up to ``batch_size`` pending transfers whose timeout is at or before ``now``; return how many.

    Exactly once, even with several sweeps at the same time: candidates are locked
    ``FOR NO KEY UPDATE SKIP LOCKED`` (concurrent sweeps take disjoint batches), each void has the
    id :func:`~wallet_service.ledger.chart.expiry_void_id` of its pending transfer, and the partial
    UNIQUE index on ``pending_id`` admits one resolution per pending transfer (a post that wins the
    race leaves the sweep nothing to do). The voids have reason ``"expired"``.

    One transaction per batch: the candidates' accounts are locked in one ordered statement, then
    each void is one statement. Callers loop until it returns 0 (the Celery task does). Emits no events.
    """
    if now is None:
        now = timezone.now()
    if timezone.is_naive(now):
        raise ValueError("now must be timezone-aware")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT p.id, p.debit_account_id, p.credit_account_id
            FROM ledger_transfer AS p
            WHERE p.kind = 'pending' AND p.timeout_at IS NOT NULL AND p.timeout_at <= %(now)s
              AND NOT EXISTS (SELECT 1 FROM ledger_transfer AS r WHERE r.pending_id = p.id)
            ORDER BY p.timeout_at, p.id
            LIMIT %(limit)s
            FOR NO KEY UPDATE OF p SKIP LOCKED
            """,
            {"now": now, "limit": batch_size},
        )
        candidates = cursor.fetchall()
        if not candidates:
            return 0
        lock_accounts(account for _, debit, credit in candidates for account in (debit, credit))
        voided = 0
        for pending_id, _, _ in candidates:
            item = Prepared(
                transfer_id=expiry_void_id(pending_id),
                kind=VOID_PENDING,
                debit_account_id=None,
                credit_account_id=None,
                amount_koinu=None,
                reason=EXPIRED_REASON,
                reference=None,
                timeout_s=None,
                pending_id=pending_id,
                check_expiry=False,
            )
            try:
                with transaction.atomic():
                    apply(item, linked_group=None)
            except (AlreadyExists, PendingTransferAlreadyPosted, PendingTransferAlreadyVoided):
                continue  # resolved by someone else since we looked: nothing to do
            except PendingTransferExpired:
                continue  # another sweep voided it
            voided += 1
        return voided
