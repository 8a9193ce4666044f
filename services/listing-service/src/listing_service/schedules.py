"""Periodic jobs of listing-service: the one list Celery beat reads (see dbay_common.schedules).

Each job names a task in a `tasks.py` by its registered name; an interval read from the environment
is read here and nowhere else. The library adds its own jobs (outbox relay, Idempotency-Key purge).
"""

from dbay_common.schedules import PeriodicJob
from dbay_common.settings import env_int

JOBS: tuple[PeriodicJob, ...] = (
    # Photos whose renditions task was lost (broker down at commit, worker crash): made again.
    PeriodicJob(task="listing_service.photos.renditions_retry", every_s=60, expires_s=60),
    # Scheduled listings start and fixed-price listings past their end time end, within this many seconds.
    PeriodicJob(
        task="listing_service.listings.start_due",
        every_s=env_int("LISTING_LIFECYCLE_INTERVAL_S", default=15),
        expires_s=60,
    ),
    PeriodicJob(
        task="listing_service.listings.end_due",
        every_s=env_int("LISTING_LIFECYCLE_INTERVAL_S", default=15),
        expires_s=60,
    ),
    # Watchers are told a listing ends within the hour (once per listing), within this many seconds.
    PeriodicJob(
        task="listing_service.listings.ending_soon",
        every_s=env_int("LISTING_ENDING_SOON_INTERVAL_S", default=60),
        expires_s=120,
    ),
    # Views counted in Redis reach PostgreSQL (the seller's view count) this often.
    PeriodicJob(
        task="listing_service.listings.view_counts_flush",
        every_s=env_int("LISTING_VIEW_FLUSH_INTERVAL_S", default=60),
        expires_s=120,
    ),
)
