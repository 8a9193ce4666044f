"""The ledger's scheduled work and its settings."""

from __future__ import annotations

import time
import uuid

import pytest
from django.conf import settings

from dbay_common.django.celery import RELAY_TASK_NAME
from wallet_service.celery import app as celery_app
from wallet_service.ledger import services, tasks
from wallet_service.ledger.conf import EXPIRY_SWEEP_TASK_NAME, ledger_settings
from wallet_service.ledger.models import Transfer

from .ledger_helpers import BID_HOLDS, counters, new_wallet


def test_beat_runs_the_expiry_sweep_beside_the_outbox_relay():
    schedule = celery_app.conf.beat_schedule

    assert schedule[EXPIRY_SWEEP_TASK_NAME]["task"] == EXPIRY_SWEEP_TASK_NAME
    assert schedule[EXPIRY_SWEEP_TASK_NAME]["schedule"] == float(settings.LEDGER_EXPIRY_SWEEP_INTERVAL_S)
    assert schedule[RELAY_TASK_NAME]["task"] == RELAY_TASK_NAME
    assert celery_app.tasks[EXPIRY_SWEEP_TASK_NAME].run.__module__ == "wallet_service.ledger.tasks"


def test_ledger_settings_merge_into_existing_ones(monkeypatch):
    monkeypatch.setenv("LEDGER_EXPIRY_SWEEP_INTERVAL_S", "7")
    monkeypatch.setenv("INTERNAL_JWT_AUDIENCE", "internal-x")

    values = ledger_settings(
        beat_schedule={"other": {"task": "other", "schedule": 1.0}},
        spectacular_settings={"TITLE": "t", "ENUM_NAME_OVERRIDES": {"OtherEnum": "x.y"}},
    )

    assert values["INTERNAL_JWT_AUDIENCE"] == "internal-x"
    assert values["LEDGER_EXPIRY_SWEEP_INTERVAL_S"] == 7
    assert set(values["CELERY_BEAT_SCHEDULE"]) == {"other", EXPIRY_SWEEP_TASK_NAME}
    assert values["SPECTACULAR_SETTINGS"]["TITLE"] == "t"
    assert values["SPECTACULAR_SETTINGS"]["ENUM_NAME_OVERRIDES"]["OtherEnum"] == "x.y"


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
