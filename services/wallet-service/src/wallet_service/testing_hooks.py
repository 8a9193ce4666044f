"""Where a test may freeze the web process to SIGKILL it at an exact step (never in production).

``WALLET_TEST_PAUSE_FILE`` names a file; when a request reaches the step written in it, the file is
removed (so a respawned worker does not stop again), ``PAUSED <step> <pid>`` is printed and the
worker sleeps until it is killed. Steps: ``after_withdrawal_commit`` (the withdrawal and its hold
are committed, the view has not answered), ``before_idempotency_record`` (the answer exists, the
Idempotency-Key's record is not written), ``after_idempotency_record`` (recorded, not yet sent).
Settings refuse the variable with ``DBAY_ENV=production``; without it every call is a no-op.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

from dbay_common.test_pause import pause_if_asked

PAUSE_STEPS = ("after_withdrawal_commit", "before_idempotency_record", "after_idempotency_record")


def test_pause(step: str) -> None:
    """Stop here forever if the pause file asks for ``step`` (see the module docstring)."""
    pause_if_asked(getattr(settings, "WALLET_TEST_PAUSE_FILE", ""), step)


class PauseInsideIdempotencyMiddleware:
    """Installed inside the Idempotency-Key middleware: its answer exists, the key's record does not."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        test_pause("before_idempotency_record")
        return response


class PauseOutsideIdempotencyMiddleware:
    """Installed outside the Idempotency-Key middleware: the key's record is written, not yet sent."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        test_pause("after_idempotency_record")
        return response
