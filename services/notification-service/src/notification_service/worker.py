"""notification-service's event consumer: `python -m notification_service.worker`.

Reads the bus (EVENT_BUS, see .env.example) as consumer group "notification-service" and hands each event
to the handler registered for its detail-type in HANDLERS. Events of other types are acknowledged
and ignored: on Redis Streams every group sees every event. A handler that raises leaves its event
to be delivered again, so handlers must be idempotent (keyed by the event id). SIGTERM and SIGINT
finish the batch in hand, then stop.
"""

import logging
import signal
from collections.abc import Callable
from types import FrameType

from dbay_common.events.envelope import Event
from dbay_common.logging import configure_logging
from dbay_common.settings import env_str
from dbay_common.transports.base import build_consumer_from_env

from notification_service.config import SERVICE

logger = logging.getLogger(__name__)

# detail-type -> handler. Empty until the issues that give notification-service its consumers; each
# handler parses the event's data and calls one function of services.py.
HANDLERS: dict[str, Callable[[Event], None]] = {}


def dispatch(event: Event) -> None:
    """Route one event to its handler by detail-type; ignore types this service does not handle."""
    handler = HANDLERS.get(event.detail_type)
    if handler is None:
        logger.debug("%s ignores %s", SERVICE, event.detail_type)
        return
    handler(event)


def run(*, max_batches: int | None = None, block_ms: int = 1000) -> None:
    """Consume until stopped by a signal (or after ``max_batches`` polls, for tests)."""
    consumer = build_consumer_from_env(group=SERVICE)

    def stop(_signum: int, _frame: FrameType | None) -> None:
        consumer.stop()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    logger.info("%s consuming %s", SERVICE, ", ".join(sorted(HANDLERS)) or "no event types yet")
    try:
        consumer.consume(dispatch, max_batches=max_batches, block_ms=block_ms)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def main() -> None:
    configure_logging(service=SERVICE, level=env_str("LOG_LEVEL", default="INFO"))
    run()


if __name__ == "__main__":
    main()
