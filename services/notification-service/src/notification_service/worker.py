"""notification-service's event consumer: `python -m notification_service.worker`.

Consumes the bus as group "notification-service" through the Mongo inbox: each handled event is recorded
in the ``inbox`` collection and skipped when delivered again; the handlers' own writes (inbox helpers of
dbay_common.mongo) make a redelivery after a crash change nothing twice.
"""

from dbay_common.logging import configure_logging
from dbay_common.mongo import MongoInbox
from dbay_common.sessions import revoked_sessions
from dbay_common.settings import env_str
from dbay_common.transports.runner import run_consumer
from notification_service.config import SERVICE, load_config
from notification_service.db import INBOX_COLLECTION, database
from notification_service.events import HANDLERS

__all__ = ["HANDLERS", "run"]


def run(*, max_batches: int | None = None, block_ms: int = 1000) -> None:
    """Consume until SIGTERM/SIGINT (or after ``max_batches`` polls, for tests)."""
    inbox = MongoInbox(database(load_config()["MONGODB_URI"])[INBOX_COLLECTION], consumer=SERVICE)
    run_consumer(
        group=SERVICE,
        handlers=HANDLERS,
        dedupe=inbox.dedupe,
        max_batches=max_batches,
        block_ms=block_ms,
        session_revocations=lambda: revoked_sessions(load_config()["REDIS_URL"]),
    )


if __name__ == "__main__":
    configure_logging(service=SERVICE, level=env_str("LOG_LEVEL", default="INFO"))
    run()
