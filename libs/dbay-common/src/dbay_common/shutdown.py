"""Graceful shutdown for long-running processes (event consumers, the outbox relay)."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

__all__ = ["STOP_SIGNALS", "stop_on_signals"]

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


@contextmanager
def stop_on_signals(on_stop: Callable[[], None]) -> Iterator[None]:
    """Call ``on_stop`` on SIGTERM/SIGINT while the block runs, then restore the previous handlers.

    Kubernetes sends SIGTERM and waits ``terminationGracePeriodSeconds``: finishing the event in hand
    and acknowledging it beats being killed mid-handler and redelivering it. ``on_stop`` runs in the
    signal handler, so it must only set a flag (``EventConsumer.stop``, ``threading.Event.set``).
    Signal handlers can only be installed from the main thread; elsewhere (a test thread) this is a
    no-op.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handle(_signum: int, _frame: FrameType | None) -> None:
        on_stop()

    previous = {sig: signal.signal(sig, handle) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
