"""Celery app for wallet-service: `celery -A wallet_service worker --beat`.

The shared factory wires the Django settings, autodiscovers each app's tasks.py and schedules
the outbox relay.
"""

import os

from dbay_common.django.celery import create_celery_app

app = create_celery_app("wallet-service", settings_module="wallet_service.settings")

# Reconciliation of ledger custody against our outputs on chain (wallet_service.chain.tasks); the
# interval is read here, without Django settings, because settings are not loaded yet at import.
app.add_periodic_task(
    float(os.environ.get("RECONCILE_INTERVAL_S") or 600),
    app.signature("wallet_service.chain.reconcile"),
    name="wallet_service.chain.reconcile",
)
