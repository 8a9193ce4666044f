"""The ledger's scheduled work and its schedule."""

from __future__ import annotations

import importlib
import time
import uuid

import pytest
from django.conf import settings

from dbay_common.django.celery import RELAY_TASK_NAME
from wallet_service import schedules
from wallet_service.celery import app as celery_app
from wallet_service.ledger import services, tasks
from wallet_service.ledger.models import Transfer

from .ledger_helpers import BID_HOLDS, counters, new_wallet

EXPIRY_SWEEP_TASK_NAME = "wallet_service.ledger.void_expired"


def test_beat_runs_the_expiry_sweep_beside_the_outbox_relay():
    schedule = celery_app.conf.beat_schedule

    assert schedule[EXPIRY_SWEEP_TASK_NAME]["task"] == EXPIRY_SWEEP_TASK_NAME
    assert schedule[EXPIRY_SWEEP_TASK_NAME]["schedule"] == float(schedules.LEDGER_EXPIRY_SWEEP_INTERVAL_S)
    assert schedule[EXPIRY_SWEEP_TASK_NAME]["options"]["expires"] == float(
        schedules.LEDGER_EXPIRY_SWEEP_INTERVAL_S
    )
    assert schedule[RELAY_TASK_NAME]["task"] == RELAY_TASK_NAME
    assert celery_app.tasks[EXPIRY_SWEEP_TASK_NAME].run.__module__ == "wallet_service.ledger.tasks"


def test_the_sweep_interval_is_read_from_the_environment_by_the_schedules_module_only(monkeypatch):
    monkeypatch.setenv("LEDGER_EXPIRY_SWEEP_INTERVAL_S", "7")
    try:
        reloaded = importlib.reload(schedules)
        jobs = {job.task: job for job in reloaded.JOBS}

        assert (jobs[EXPIRY_SWEEP_TASK_NAME].every_s, jobs[EXPIRY_SWEEP_TASK_NAME].expires_s) == (7, 7)
        assert not hasattr(settings, "LEDGER_EXPIRY_SWEEP_INTERVAL_S")
    finally:
        monkeypatch.delenv("LEDGER_EXPIRY_SWEEP_INTERVAL_S")
        importlib.reload(schedules)


@pytest.mark.django_db
def test_the_sweep_task_voids_what_has_expired():
    wallet = new_wallet(1_000)
    pending = services.transfer_create(
        transfer_id=uuid.uuid4(),
        debit_account_id=wallet.id,
        credit_account_id=BID_HOLDS,
        amount_koinu=400,
        reason="bid_hold",
        pending=True,
        timeout_s=1,
    )
    time.sleep(1.1)

    assert tasks.void_expired_task.apply().get() == 1
    assert tasks.void_expired_task.apply().get() == 0
    assert Transfer.objects.get(pending_id=pending.id).reason == "expired"
    assert counters(wallet.id) == (0, 1_000, 0, 0)
