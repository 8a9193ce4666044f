"""messaging-service's periodic jobs, all declared here: `python -m messaging_service.schedules` runs them.

Each entry is a ``PeriodicJob`` naming a function (or a method of ``db.STORE``) that must be
idempotent; the daily Idempotency-Key and inbox purges come from the store. See
dbay_common.flask.schedules for why not Celery.
"""

from dbay_common.flask.schedules import run_schedules
from dbay_common.schedules import PeriodicJob
from messaging_service.db import STORE

JOBS: tuple[PeriodicJob, ...] = STORE.housekeeping_jobs("messaging_service.db.STORE")

if __name__ == "__main__":
    STORE.main(lambda: run_schedules(JOBS))
