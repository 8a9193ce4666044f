"""Celery wiring shared by the Django services, including the outbox relay task.

Each service's ``<package>/celery.py`` is two lines::

    from dbay_common.django.celery import create_celery_app
    app = create_celery_app("auction-service", settings_module="auction_service.settings")

Beat also runs :data:`PURGE_TASK_NAME` once a day, deleting the Idempotency-Key records past their
TTL (``DBAY_IDEMPOTENCY_TTL_S``): the middleware already ignores them, the purge keeps the table small.

The relay runs two ways, following "side effects after commit": producers call
:func:`schedule_outbox_relay_on_commit` in the service function that wrote the outbox row, so the
event leaves within milliseconds of the commit; and beat runs the same task every 5 s as the safety
net for everything the fast path missed (broker down at commit time, worker crash, a retry whose
backoff just expired). Both are safe to overlap because the relay locks rows with SKIP LOCKED.

This module must not import Django models at import time: a service's package imports its Celery
app before Django has loaded its apps.
"""

from __future__ import annotations

import functools
import logging
import os
from datetime import timedelta

from celery import Celery, shared_task
from celery.schedules import crontab
from django.conf import settings
from django.db import transaction

from dbay_common.transports.base import EventPublisher, build_publisher_from_env

__all__ = [
    "PURGE_SCHEDULE",
    "PURGE_TASK_NAME",
    "RELAY_INTERVAL_S",
    "RELAY_TASK_NAME",
    "create_celery_app",
    "idempotency_records_purge_task",
    "relay_outbox_task",
    "relay_publisher",
    "schedule_outbox_relay_on_commit",
]

logger = logging.getLogger(__name__)

RELAY_TASK_NAME = "dbay_common.relay_outbox"
RELAY_INTERVAL_S = 5.0
RELAY_BATCH_SIZE = 100
#: One task run drains at most this many batches, so a huge backlog cannot pin a worker forever;
#: the next run (on commit or beat) continues.
RELAY_MAX_BATCHES_PER_RUN = 50

PURGE_TASK_NAME = "dbay_common.idempotency_records_purge"
#: Once a day, at a quiet hour (UTC).
PURGE_SCHEDULE = crontab(hour=3, minute=30)


@functools.cache
def relay_publisher() -> EventPublisher:
    """One publisher (one connection pool) per worker process, built from the environment."""
    return build_publisher_from_env()


@shared_task(name=RELAY_TASK_NAME, ignore_result=True)
def relay_outbox_task() -> int:
    """Publish every due outbox row (up to a bound); returns how many were published."""
    from dbay_common.django.outbox.services import outbox_relay

    publisher = relay_publisher()
    total = 0
    for _ in range(RELAY_MAX_BATCHES_PER_RUN):
        published = outbox_relay(publisher=publisher, batch_size=RELAY_BATCH_SIZE)
        total += published
        if published < RELAY_BATCH_SIZE:
            break
    return total


@shared_task(name=PURGE_TASK_NAME, ignore_result=True)
def idempotency_records_purge_task() -> int:
    """Delete the Idempotency-Key records older than ``DBAY_IDEMPOTENCY_TTL_S``; return how many."""
    from dbay_common.django.idempotency import idempotency_records_purge

    return idempotency_records_purge(older_than=timedelta(seconds=settings.DBAY_IDEMPOTENCY_TTL_S))


def create_celery_app(service: str, *, settings_module: str) -> Celery:
    """A Celery app configured from Django settings prefixed ``CELERY_``.

    Enforced whatever the settings say: JSON (never pickle) for tasks and results, and retrying the
    broker connection at start-up so a worker started before Redis does not exit. Registers the relay
    task and its 5 s beat schedule, the daily Idempotency-Key purge, and autodiscovers ``tasks.py`` in
    the installed apps.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module)
    app = Celery(service)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        broker_connection_retry_on_startup=True,
    )
    app.autodiscover_tasks()
    app.add_periodic_task(
        RELAY_INTERVAL_S,
        app.signature(RELAY_TASK_NAME),
        name=RELAY_TASK_NAME,
        # A relay run queued behind a dead worker is useless once the next one is due.
        expires=RELAY_INTERVAL_S,
    )
    app.add_periodic_task(PURGE_SCHEDULE, app.signature(PURGE_TASK_NAME), name=PURGE_TASK_NAME)
    return app


def _enqueue_relay() -> None:
    try:
        # One connection attempt, no publish retries: with the broker down, kombu's defaults would
        # hold the request that just committed for seconds. Failing fast is safe because beat's
        # periodic run publishes the row anyway.
        app = relay_outbox_task.app
        with app.connection_for_write(transport_options={"max_retries": 0}) as broker:
            relay_outbox_task.apply_async(connection=broker, retry=False)
    except Exception:
        logger.warning("could not enqueue the outbox relay; beat will pick the events up", exc_info=True)


def schedule_outbox_relay_on_commit(*, using: str | None = None) -> None:
    """Run the outbox relay as soon as the current transaction commits (nothing if it rolls back).

    Call it next to ``outbox_publish`` in the service function. Outside a transaction Django runs
    the callback immediately, which is also correct.
    """
    transaction.on_commit(_enqueue_relay, using=using)
