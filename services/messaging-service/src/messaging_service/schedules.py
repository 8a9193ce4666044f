"""messaging-service's periodic jobs, all declared here; `python -m messaging_service.schedules` runs them.

Each entry is a ``PeriodicJob`` naming a function of this module (a purge, or a call of one service
function) that must be idempotent. See dbay_common.flask.schedules for why not Celery.
"""

from datetime import timedelta

from dbay_common.flask.idempotency import IdempotencyStore
from dbay_common.flask.schedules import run_schedules
from dbay_common.mongo import MongoInbox
from dbay_common.schedules import PeriodicJob
from dbay_common.settings import env_int
from messaging_service.config import SERVICE, load_config
from messaging_service.db import IDEMPOTENCY_COLLECTION, INBOX_COLLECTION, database

DAY_S = 24 * 3600


def idempotency_records_purge() -> int:
    """Delete Idempotency-Key records past their TTL (the decorator already ignores them)."""
    ttl_s = env_int("IDEMPOTENCY_TTL_S", default=DAY_S)
    store = IdempotencyStore(database(load_config()["MONGODB_URI"])[IDEMPOTENCY_COLLECTION])
    return store.purge(older_than=timedelta(seconds=ttl_s))


def inbox_records_purge() -> int:
    """Delete handled-event records older than ``INBOX_RETENTION_DAYS``."""
    config = load_config()
    inbox = MongoInbox(database(config["MONGODB_URI"])[INBOX_COLLECTION], consumer=SERVICE)
    return inbox.purge(older_than=timedelta(days=config["INBOX_RETENTION_DAYS"]))


JOBS = (
    PeriodicJob(task="messaging_service.schedules.idempotency_records_purge", every_s=DAY_S),
    PeriodicJob(task="messaging_service.schedules.inbox_records_purge", every_s=DAY_S),
)

if __name__ == "__main__":
    run_schedules(JOBS, service=SERVICE)
