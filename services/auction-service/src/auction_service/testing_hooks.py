"""Where a test may freeze the web process to SIGKILL it at an exact step (never in production).

``AUCTION_TEST_PAUSE_FILE`` names a file; when a request reaches the step written in it, the file is
removed (so a respawned worker does not stop again), ``PAUSED <step> <pid>`` is printed and the
worker sleeps until it is killed. Steps of a bid: ``after_intent`` (the hold's record is written, the
wallet not called), ``after_hold`` (the wallet holds the funds, the bid is not decided),
``after_commit`` (the bid is committed, the outbid hold not yet released, no answer sent).
Settings refuse the variable with ``DBAY_ENV=production``; without it every call is a no-op.
"""

from __future__ import annotations

import os
import time

from django.conf import settings

PAUSE_STEPS = ("after_intent", "after_hold", "after_commit")


def test_pause(step: str) -> None:
    """Stop here forever if the pause file asks for ``step`` (see the module docstring)."""
    path = getattr(settings, "AUCTION_TEST_PAUSE_FILE", "")
    if not path:
        return
    try:
        with open(path, encoding="utf-8") as handle:
            wanted = handle.read().strip()
    except FileNotFoundError:
        return
    if wanted != step:
        return
    os.unlink(path)
    print(f"PAUSED {step} {os.getpid()}", flush=True)
    while True:
        time.sleep(1)
