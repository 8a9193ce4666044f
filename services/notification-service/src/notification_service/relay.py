"""notification-service's outbox relay: `python -m notification_service.relay`.

Publishes the events embedded in the documents of ``STORE.outbox_collections`` until SIGTERM, woken
by the kick producers send after a write (``STORE.relay_kick()``), polling every
``OUTBOX_RELAY_INTERVAL_S`` otherwise.
"""

from notification_service.db import STORE


def run(*, max_passes: int | None = None) -> int:
    """Relay until SIGTERM/SIGINT (or ``max_passes`` passes); return how many events were published."""
    return STORE.run_relay(max_passes=max_passes)


if __name__ == "__main__":
    STORE.main(run)
