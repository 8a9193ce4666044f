"""notification-service's outbox relay: `python -m notification_service.relay`.

Publishes the events embedded in the documents of ``db.OUTBOX_COLLECTIONS`` until SIGTERM, woken by
the kick producers send after a write and polling every ``OUTBOX_RELAY_INTERVAL_S`` otherwise.
"""

from collections.abc import Mapping
from typing import Any

from dbay_common.logging import configure_logging
from dbay_common.mongo import RelayKick, run_relay
from dbay_common.settings import env_str
from notification_service.config import SERVICE, load_config
from notification_service.db import LOCKS_COLLECTION, OUTBOX_COLLECTIONS, database


def relay_kick(config: Mapping[str, Any]) -> RelayKick:
    """The kick producers call after writing events (``kick=`` of the outbox helpers)."""
    return RelayKick(redis_url=config["REDIS_URL"], service=SERVICE)


def run(*, max_passes: int | None = None) -> int:
    """Relay until SIGTERM/SIGINT (or ``max_passes`` passes); return how many events were published."""
    config = load_config()
    return run_relay(
        database=database(config["MONGODB_URI"]),
        collections=OUTBOX_COLLECTIONS,
        kick=relay_kick(config),
        interval_s=config["OUTBOX_RELAY_INTERVAL_S"],
        locks_collection=LOCKS_COLLECTION,
        max_passes=max_passes,
    )


if __name__ == "__main__":
    configure_logging(service=SERVICE, level=env_str("LOG_LEVEL", default="INFO"))
    run()
