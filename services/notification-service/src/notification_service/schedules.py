"""notification-service periodic jobs, declared here: `python -m notification_service.schedules` runs them.

Each entry is a ``PeriodicJob`` naming a function (or a method of ``db.STORE``) that must be
idempotent; the daily Idempotency-Key and inbox purges come from the store. See
dbay_common.flask.schedules for why not Celery.

- ``digest.digests_send`` every 5 minutes: queues each member's daily digest once their digest hour
  has come (at most one per member per day, a unique id);
- ``digest.notifications_retention_purge`` daily: deletes read notifications older than
  ``NOTIFICATION_RETENTION_DAYS``.
"""

from dbay_common.flask.schedules import run_schedules
from dbay_common.schedules import PeriodicJob
from notification_service.db import STORE

JOBS: tuple[PeriodicJob, ...] = (
    *STORE.housekeeping_jobs("notification_service.db.STORE"),
    PeriodicJob(task="notification_service.digest.digests_send", every_s=300),
    PeriodicJob(task="notification_service.digest.notifications_retention_purge", every_s=24 * 3600),
)

if __name__ == "__main__":
    STORE.main(lambda: run_schedules(JOBS))
