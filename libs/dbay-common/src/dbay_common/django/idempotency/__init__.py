"""Idempotency-Key support for Django services (a Django app, label ``dbay_idempotency``).

Add ``"dbay_common.django.idempotency"`` to INSTALLED_APPS and
``"dbay_common.django.idempotency.middleware.IdempotencyMiddleware"`` to MIDDLEWARE (``common_settings``
does both). This package must not import models at import time (it is loaded while apps load).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TypeVar

V = TypeVar("V")


def idempotency_records_purge(*, older_than: timedelta | datetime) -> int:
    """Delete idempotency records created before ``older_than`` (an age or a cutoff); return how many.

    Run it periodically (a Celery beat task calling it with ``timedelta(hours=24)``); records past the
    TTL are already ignored by the middleware, this only keeps the table small.
    """
    from dbay_common.django.idempotency.services import idempotency_records_purge as purge

    return purge(older_than=older_than)


def idempotency_exempt(view: V) -> V:
    """Mark a view (function or class) so the middleware never applies Idempotency-Key handling to it."""
    view.idempotency_exempt = True  # type: ignore[attr-defined]
    return view
