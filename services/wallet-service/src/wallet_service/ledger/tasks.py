"""Celery entry points of the ledger. Each task only parses its arguments and calls a service."""

from __future__ import annotations

import logging

from celery import shared_task

from wallet_service.ledger.services import transfers_void_expired

logger = logging.getLogger(__name__)

#: Batches per run, so a backlog cannot pin a worker; the next run (every few seconds) continues.
MAX_BATCHES_PER_RUN = 20


@shared_task(name="wallet_service.ledger.void_expired", ignore_result=True)
def void_expired_task(batch_size: int = 500) -> int:
    """Void expired holds (beat: ``wallet_service.schedules``); returns how many."""
    total = 0
    for _ in range(MAX_BATCHES_PER_RUN):
        voided = transfers_void_expired(batch_size=batch_size)
        total += voided
        if voided < batch_size:
            break
    if total:
        logger.info("voided %d expired holds", total)
    return total
