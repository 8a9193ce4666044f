"""Periodic jobs, declared once per service and run by whatever scheduler the service uses.

Every service lists its periodic jobs in one module, ``<package>/schedules.py``::

    from dbay_common.schedules import PeriodicJob
    from dbay_common.settings import env_int

    JOBS = (
        PeriodicJob(task="wallet_service.reconcile", every_s=env_int("RECONCILE_INTERVAL_S", default=600)),
        PeriodicJob(task="wallet_service.ledger.expire", every_s=30, expires_s=30),
    )

Django services run them with Celery beat: :func:`dbay_common.django.celery.create_celery_app` reads
the module and registers each job; the library's own jobs (outbox relay, Idempotency-Key purge) are in
:data:`dbay_common.django.celery.LIBRARY_JOBS`. Flask services run the same declarations with their
own loop (:mod:`dbay_common.flask` documents it). The module names tasks by string and reads only the
environment, never Django settings or models, because beat imports it before Django is set up; an
interval is therefore read in this module and nowhere else.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["PeriodicJob", "load_jobs"]


@dataclass(frozen=True, slots=True)
class PeriodicJob:
    """One job: the task's registered name and when it runs.

    Exactly one of ``every_s`` (a fixed interval in seconds) or ``cron`` (five crontab fields in UTC,
    ``"30 3 * * *"``) is set. ``expires_s`` drops a run still queued after that long (useful when the
    next run makes it pointless).
    """

    task: str
    every_s: float | None = None
    cron: str | None = None
    expires_s: float | None = None

    def __post_init__(self) -> None:
        if (self.every_s is None) == (self.cron is None):
            raise ValueError(f"{self.task}: set exactly one of every_s or cron")
        if self.every_s is not None and self.every_s <= 0:
            raise ValueError(f"{self.task}: every_s must be positive, got {self.every_s}")
        if self.cron is not None and len(self.cron.split()) != 5:
            raise ValueError(f"{self.task}: cron needs five fields (minute hour day month weekday)")


def load_jobs(module: str) -> tuple[PeriodicJob, ...]:
    """``JOBS`` of ``module`` (``"wallet_service.schedules"``); a module that does not exist has none.

    Fails at start when ``JOBS`` is not a sequence of :class:`PeriodicJob` or names a task twice.
    """
    try:
        imported = importlib.import_module(module)
    except ModuleNotFoundError as error:
        if error.name is not None and (module == error.name or module.startswith(f"{error.name}.")):
            return ()
        raise
    jobs = getattr(imported, "JOBS", ())
    if not isinstance(jobs, Sequence) or not all(isinstance(job, PeriodicJob) for job in jobs):
        raise TypeError(f"{module}.JOBS must be a sequence of PeriodicJob")
    names = [job.task for job in jobs]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(f"{module}.JOBS lists {', '.join(duplicates)} more than once")
    return tuple(jobs)
