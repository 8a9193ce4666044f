"""messaging-service's event consumer: `python -m messaging_service.worker`.

Consumes the bus as group "messaging-service" through the Mongo inbox (a redelivered event is skipped; the
handlers' own guarded writes make a redelivery after a crash change nothing twice) and lists revoked
sessions (docs/adr/0006-session-revocation.md).
"""

from messaging_service.db import STORE
from messaging_service.events import HANDLERS

__all__ = ["HANDLERS", "run"]


def run(*, max_batches: int | None = None, block_ms: int = 1000) -> None:
    """Consume until SIGTERM/SIGINT (or after ``max_batches`` polls, for tests)."""
    STORE.run_worker(HANDLERS, max_batches=max_batches, block_ms=block_ms)


if __name__ == "__main__":
    STORE.main(run)
