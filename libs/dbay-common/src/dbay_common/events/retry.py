"""When an outbox relay tries again after the bus refused a batch (Django and Flask relays alike)."""

from __future__ import annotations

import random

__all__ = ["RETRY_BASE_DELAY_S", "RETRY_MAX_DELAY_S", "outbox_retry_delay_s"]

RETRY_BASE_DELAY_S = 1.0
RETRY_MAX_DELAY_S = 300.0


def outbox_retry_delay_s(attempts: int) -> float:
    """Delay before retry number ``attempts``: exponential from 1 s, capped at 5 min, with jitter.

    "Equal jitter" (half fixed, half random) keeps the delay growing while spreading the rows of one
    failed batch apart, so a single poison event stops dragging the same neighbours down with it.
    """
    ceiling = min(RETRY_MAX_DELAY_S, RETRY_BASE_DELAY_S * 2 ** max(0, attempts - 1))
    return ceiling / 2 + random.uniform(0, ceiling / 2)  # noqa: S311 - jitter, not cryptography
