"""Celery entry points of the chain side. Each only calls a service."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task

from wallet_service.chain.reconciliation import reconciliation_run
from wallet_service.chain.rpc import node_client

logger = logging.getLogger(__name__)


@shared_task(name="wallet_service.chain.reconcile", ignore_result=True)
def reconcile_task() -> dict[str, Any]:
    """Scheduled reconciliation (beat: ``wallet_service.schedules``), recorded; logs an error on drift."""
    report = reconciliation_run(client=node_client())
    document = report.as_dict()
    if report.is_balanced:
        logger.info("reconciliation balanced", extra={"reconciliation": document})
    else:
        logger.error(
            "reconciliation DRIFT of %s koinu", report.drift_koinu, extra={"reconciliation": document}
        )
    return document
