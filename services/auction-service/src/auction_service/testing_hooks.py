"""Where a test may freeze the web process to SIGKILL it at an exact step (never in production).

``AUCTION_TEST_PAUSE_FILE`` names a file; when a request reaches the step written in it, the file is
removed (so a respawned worker does not stop again), ``PAUSED <step> <pid>`` is printed and the
worker sleeps until it is killed. Steps of a bid: ``after_intent`` (the hold's record is written, the
wallet not called), ``after_hold`` (the wallet holds the funds, the bid is not decided),
``after_commit`` (the bid is committed, the outbid hold not yet released, no answer sent).
Settings refuse the variable with ``DBAY_ENV=production``; without it every call is a no-op.
"""

from __future__ import annotations

from django.conf import settings

from dbay_common.test_pause import pause_if_asked

PAUSE_STEPS = ("after_intent", "after_hold", "after_commit")


def test_pause(step: str) -> None:
    """Stop here forever if the pause file asks for ``step`` (see the module docstring)."""
    pause_if_asked(getattr(settings, "AUCTION_TEST_PAUSE_FILE", ""), step)
