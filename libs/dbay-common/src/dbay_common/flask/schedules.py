"""Periodic jobs of a Flask service, run by one small loop: ``python -m <service>.schedules``.

Each Flask service declares its jobs in one module, ``schedules.py``, with the same
:class:`~dbay_common.schedules.PeriodicJob` the Django services give Celery beat; ``task`` is the
dotted path of the function to call::

    JOBS = (
        PeriodicJob(task="messaging_service.schedules.idempotency_records_purge", every_s=24 * 3600),
    )

    if __name__ == "__main__":
        run_schedules(JOBS, service=SERVICE)

Why not Celery: the Flask services have no task queue to feed (their background work is the event
consumer and the outbox relay, both processes of their own), and a beat + worker pair per service
would add two processes and a broker dependency to run a handful of idempotent housekeeping jobs.
The loop runs each job when due, one at a time, in one process; a job that raises is logged and runs
again at its next due time. Run exactly one scheduler per service (a Kubernetes Deployment with one
replica); a job must be idempotent anyway, because a restart runs every job once at start.
"""

from __future__ import annotations

import importlib
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from dbay_common.logging import configure_logging
from dbay_common.schedules import PeriodicJob
from dbay_common.settings import env_str
from dbay_common.shutdown import stop_on_signals

__all__ = ["job_callable", "run_schedules"]

logger = logging.getLogger(__name__)


def job_callable(job: PeriodicJob) -> Callable[[], object]:
    """What ``job.task`` names: ``"package.module.function"`` or an attribute path below a module
    (``"package.db.STORE.inbox_records_purge"``). Fails at start when it names nothing callable."""
    parts = job.task.split(".")
    for split in range(len(parts) - 1, 0, -1):
        try:
            target: object = importlib.import_module(".".join(parts[:split]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[split:]:
            target = getattr(target, attribute, None)
        if callable(target):
            return target
        break
    raise ValueError(f"{job.task} does not name a function")


@dataclass(frozen=True)
class _Schedule:
    name: str
    interval_s: float
    run: Callable[[], object]


def _schedule(job: PeriodicJob) -> _Schedule:
    if job.every_s is None:
        raise ValueError(f"{job.task}: the Flask scheduler runs interval jobs (every_s), not cron")
    return _Schedule(name=job.task, interval_s=job.every_s, run=job_callable(job))


def run_schedules(
    jobs: Sequence[PeriodicJob],
    *,
    service: str | None = None,
    max_runs: int | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> list[str]:
    """Run ``schedules`` until SIGTERM/SIGINT (or ``max_runs`` job runs, for tests).

    Returns the names of the jobs run, in order. ``service`` configures JSON logging first (the
    ``__main__`` case). Task names must be unique: they are how operators tell jobs apart. With no
    job declared the loop still runs until it is stopped (a process manager would otherwise restart
    it forever).
    """
    schedules = [_schedule(job) for job in jobs]
    names = [schedule.name for schedule in schedules]
    if len(set(names)) != len(names):
        raise ValueError(f"schedule names must be unique: {names}")
    if service is not None:
        configure_logging(service=service, level=env_str("LOG_LEVEL", default="INFO"))
    stop = threading.Event()
    due = {schedule.name: clock() for schedule in schedules}
    ran: list[str] = []
    with stop_on_signals(stop.set):
        if not schedules and max_runs is None:
            stop.wait()
        while schedules and not stop.is_set() and (max_runs is None or len(ran) < max_runs):
            schedule = min(schedules, key=lambda item: due[item.name])
            delay_s = due[schedule.name] - clock()
            if delay_s > 0:
                stop.wait(delay_s)
                continue
            try:
                outcome = schedule.run()
                logger.info("job %s done: %r", schedule.name, outcome)
            except Exception:
                logger.exception("job %s failed; next run in %.0f s", schedule.name, schedule.interval_s)
            ran.append(schedule.name)
            due[schedule.name] = clock() + schedule.interval_s
    return ran
