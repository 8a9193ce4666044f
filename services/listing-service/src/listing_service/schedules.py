"""Periodic jobs of listing-service: the one list Celery beat reads (see dbay_common.schedules).

Each job names a task in a `tasks.py` by its registered name; an interval read from the environment
is read here and nowhere else. The library adds its own jobs (outbox relay, Idempotency-Key purge).
"""

from dbay_common.schedules import PeriodicJob

JOBS: tuple[PeriodicJob, ...] = (
    # Photos whose renditions task was lost (broker down at commit, worker crash): made again.
    PeriodicJob(task="listing_service.photos.renditions_retry", every_s=60, expires_s=60),
)
