"""Transactional outbox and idempotent inbox as a Django app (label ``dbay_outbox``).

Add ``"dbay_common.django.outbox"`` to ``INSTALLED_APPS``, then::

    from dbay_common.django.outbox import outbox_publish, inbox_handle

Run ``manage.py relay_outbox`` (or the Celery task from ``dbay_common.django.celery``) to publish and
``manage.py consume_events`` to consume. The functions are loaded lazily so importing this package
(as Django does while reading ``INSTALLED_APPS``) does not touch the models before apps are ready.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dbay_common.django.outbox.services import (
        OutboxNotInTransactionError,
        inbox_handle,
        outbox_publish,
        outbox_relay,
    )

__all__ = ["OutboxNotInTransactionError", "inbox_handle", "outbox_publish", "outbox_relay"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from dbay_common.django.outbox import services

        return getattr(services, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
