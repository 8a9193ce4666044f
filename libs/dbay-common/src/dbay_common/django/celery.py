"""Celery wiring shared by the Django services, including the outbox relay task.

Each service's ``<package>/celery.py`` is two lines::

    from dbay_common.django.celery import create_celery_app
    app = create_celery_app("auction-service", settings_module="auction_service.settings")

Periodic jobs come from one place per service, ``<package>/schedules.py`` (see
:mod:`dbay_common.schedules`), plus the library's own :data:`LIBRARY_JOBS`: the outbox relay every 5 s
and, once a day, :data:`PURGE_TASK_NAME`, deleting the Idempotency-Key records past their TTL
(``DBAY_IDEMPOTENCY_TTL_S``): the middleware already ignores them, the purge keeps the table small.

Tasks are queued after commit with :func:`enqueue_on_commit`, the one way a service schedules work
from inside a transaction.

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
from typing import Any

from celery import Celery, Task, shared_task
from celery.schedules import crontab
from django.conf import settings
from django.db import transaction

from dbay_common.schedules import PeriodicJob, load_jobs
from dbay_common.transports.base import EventPublisher, build_publisher_from_env

__all__ = [
    "LIBRARY_JOBS",
    "PURGE_TASK_NAME",
    "RELAY_INTERVAL_S",
    "RELAY_TASK_NAME",
    "create_celery_app",
    "enqueue_on_commit",
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

#: The jobs every Django service runs, before its own ``schedules.JOBS``.
LIBRARY_JOBS: tuple[PeriodicJob, ...] = (
    # A relay run queued behind a dead worker is useless once the next one is due.
    PeriodicJob(task=RELAY_TASK_NAME, every_s=RELAY_INTERVAL_S, expires_s=RELAY_INTERVAL_S),
    # Once a day, at a quiet hour (UTC).
    PeriodicJob(task=PURGE_TASK_NAME, cron="30 3 * * *"),
)


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


def _beat_schedule(job: PeriodicJob) -> float | crontab:
    if job.every_s is not None:
        return job.every_s
    assert job.cron is not None  # PeriodicJob guarantees one of the two
    minute, hour, day_of_month, month_of_year, day_of_week = job.cron.split()
    return crontab(
        minute=minute,
        hour=hour,
        day_of_month=day_of_month,
        month_of_year=month_of_year,
        day_of_week=day_of_week,
    )


def create_celery_app(service: str, *, settings_module: str, schedules_module: str | None = None) -> Celery:
    """A Celery app configured from Django settings prefixed ``CELERY_``.

    Enforced whatever the settings say: JSON (never pickle) for tasks and results, and retrying the
    broker connection at start-up so a worker started before Redis does not exit. Registers
    :data:`LIBRARY_JOBS` and the service's ``JOBS`` from ``schedules_module`` (default: the settings
    module's package + ``.schedules``) with beat, and autodiscovers ``tasks.py`` in the installed apps.
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
    package = settings_module.rpartition(".")[0]
    service_jobs = load_jobs(schedules_module or f"{package}.schedules")
    for job in (*LIBRARY_JOBS, *service_jobs):
        app.add_periodic_task(
            _beat_schedule(job), app.signature(job.task), name=job.task, expires=job.expires_s
        )
    return app


def enqueue_now(task: Task, *args: Any, **kwargs: Any) -> bool:
    """Queue ``task`` at once, failing fast; return False (and log) when the broker is unreachable.

    One connection attempt, no publish retries: with the broker down, kombu's defaults would hold the
    request for seconds. Callers must have a second way for the work to happen (beat, a user's retry).
    """
    try:
        with task.app.connection_for_write(transport_options={"max_retries": 0}) as broker:
            task.apply_async(args=args, kwargs=kwargs, connection=broker, retry=False)
    except Exception:
        logger.warning("could not queue %s; it runs on its next schedule or retry", task.name, exc_info=True)
        return False
    return True


def enqueue_on_commit(task: Task, *args: Any, using: str | None = None, **kwargs: Any) -> None:
    """Queue ``task(*args, **kwargs)`` once the current transaction commits; nothing if it rolls back.

    The one way a service function schedules background work ("side effects after commit"): the
    worker never sees a row that is not committed yet, and a dead broker never fails or slows the
    request (see :func:`enqueue_now`). Outside a transaction Django runs the callback at once.
    Arguments must be JSON-serialisable (the broker is JSON-only).
    """
    transaction.on_commit(lambda: enqueue_now(task, *args, **kwargs), using=using)


def schedule_outbox_relay_on_commit(*, using: str | None = None) -> None:
    """Run the outbox relay as soon as the current transaction commits (nothing if it rolls back).

    :func:`dbay_common.django.events.publish` calls it; beat's periodic run is the safety net.
    """
    enqueue_on_commit(relay_outbox_task, using=using)
