"""search-gateway's event consumer: `python -m search_gateway.worker`.

Consumes the bus as group "search-gateway" with dbay_common.transports.runner.run_consumer. No inbox:
every handler writes to Elasticsearch by document id with an external version, so a redelivered
event has no second effect (see events.py).
"""

from dbay_common.logging import configure_logging
from dbay_common.sessions import revoked_sessions
from dbay_common.settings import env_str
from dbay_common.transports.runner import run_consumer
from search_gateway.config import SERVICE, load_config
from search_gateway.events import HANDLERS

__all__ = ["HANDLERS", "run"]


def run(*, max_batches: int | None = None, block_ms: int = 1000) -> None:
    """Consume until SIGTERM/SIGINT (or after ``max_batches`` polls, for tests)."""
    run_consumer(
        group=SERVICE,
        handlers=HANDLERS,
        max_batches=max_batches,
        block_ms=block_ms,
        session_revocations=lambda: revoked_sessions(load_config()["REDIS_URL"]),
    )


if __name__ == "__main__":
    configure_logging(service=SERVICE, level=env_str("LOG_LEVEL", default="INFO"))
    run()
