"""``publish``: the one way a Django service emits an event.

Inside the service function's transaction::

    from dbay_common.django.events import publish

    @transaction.atomic
    def withdrawal_request(...) -> Withdrawal:
        ...
        publish("withdrawal.requested", WithdrawalRequestedV1(...))

The event is validated against its registered schema, stamped with this service's source
(``settings.DBAY_EVENT_SOURCE``) and producer (``settings.DBAY_SERVICE``) and with the correlation and
causation ids of the request or event being handled (:mod:`dbay_common.events.context`), written to
the outbox in the caller's transaction, and the relay is queued for right after the commit. If the
transaction rolls back, neither the event nor the relay run exists.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from pydantic import BaseModel

from dbay_common.django.celery import schedule_outbox_relay_on_commit
from dbay_common.django.outbox.services import outbox_publish
from dbay_common.events.context import new_event
from dbay_common.events.envelope import Event

__all__ = ["publish"]


def publish(detail_type: str, data: Mapping[str, Any] | BaseModel, *, version: int = 1) -> Event:
    """Queue the event in the outbox with the caller's change; relay it after commit; return it.

    Must run inside ``transaction.atomic`` (raises ``OutboxNotInTransactionError`` otherwise).
    """
    event = new_event(
        source=settings.DBAY_EVENT_SOURCE,
        producer=settings.DBAY_SERVICE,
        detail_type=detail_type,
        data=data,
        version=version,
    )
    outbox_publish(event)
    schedule_outbox_relay_on_commit()
    return event
