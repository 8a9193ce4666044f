"""Transactional outbox and idempotent inbox.

Producer side: :func:`outbox_publish` writes the event into the producer's own database in the same
transaction as the change it describes, so an event exists if and only if the change committed.
:func:`outbox_relay` later moves committed rows to the bus and retries with backoff until the bus
accepts them; nothing is left stranded and nothing is published for a rolled-back change.

Consumer side: :func:`inbox_handle` records ``(consumer, event_id)`` in the same transaction as the
handler's effect, so redelivery (which every bus does: at-least-once) changes nothing twice.

Ordering: the relay publishes in ``created_at`` order within a batch and batch after batch while the
bus is healthy, but a failed batch is retried later while newer rows go ahead, and concurrent relays
each take a different slice. Consumers must therefore not rely on cross-event order; they compare
versions or states carried in the data instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from pydantic import ValidationError

from dbay_common.django.outbox.models import InboxEvent, OutboxEvent
from dbay_common.events.envelope import Event
from dbay_common.events.retry import outbox_retry_delay_s
from dbay_common.transports.base import EventPublisher

__all__ = [
    "OutboxNotInTransactionError",
    "inbox_handle",
    "outbox_publish",
    "outbox_relay",
    "outbox_retry_delay_s",
]

logger = logging.getLogger(__name__)

_MAX_ERROR_CHARS = 2000


class OutboxNotInTransactionError(RuntimeError):
    """``outbox_publish`` was called in autocommit mode, where the event could outlive a failed change."""


def outbox_publish(event: Event) -> None:
    """Queue ``event`` for publishing as part of the caller's open transaction.

    Must run inside ``transaction.atomic`` (the service function's): outside one the row would commit
    on its own and the event could be published for a change that then fails. Raises
    :class:`OutboxNotInTransactionError` in that case rather than silently doing the unsafe thing.
    The row becomes visible to the relay only when the caller commits; call
    ``dbay_common.django.celery.schedule_outbox_relay_on_commit()`` to publish right after that.
    """
    if not transaction.get_connection().in_atomic_block:
        raise OutboxNotInTransactionError(
            "outbox_publish() must be called inside transaction.atomic(), with the change it describes"
        )
    OutboxEvent.objects.create(
        event_id=event.event_id,
        source=event.source,
        detail_type=event.detail_type,
        payload=event.to_dict(),
    )


def _record_failure(rows: Iterable[OutboxEvent], error: str, now: datetime) -> None:
    updated = []
    for row in rows:
        row.attempts += 1
        row.next_attempt_at = now + timedelta(seconds=outbox_retry_delay_s(row.attempts))
        row.last_error = error[:_MAX_ERROR_CHARS]
        updated.append(row)
    OutboxEvent.objects.bulk_update(updated, ["attempts", "next_attempt_at", "last_error"])


def outbox_relay(*, publisher: EventPublisher, batch_size: int = 100) -> int:
    """Publish one batch of due, unpublished outbox rows; return how many were published.

    Locks: the batch's rows, ``FOR UPDATE SKIP LOCKED``, for the duration of the publish, so relays
    running at the same time (the beat safety net, the on-commit task, several workers) take disjoint
    rows and never publish one row concurrently. Rows are marked published only after the publisher
    returned, in the same transaction, and only if still unpublished: a crash between the two leaves
    them to be published again (at least once), never lost and never marked twice.

    On failure every row of the batch gets ``attempts + 1``, ``last_error`` and a ``next_attempt_at``
    in the future (see :func:`outbox_retry_delay_s`); the exception is logged, not raised, because the
    retry is the answer to it. A row whose payload no longer parses is failed on its own so it cannot
    block the rest. Call outside any open transaction so the locks are released on return.
    """
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            OutboxEvent.objects.select_for_update(skip_locked=True)
            .filter(published_at__isnull=True, next_attempt_at__lte=now)
            .order_by("created_at", "id")[:batch_size]
        )
        if not rows:
            return 0
        sendable: list[OutboxEvent] = []
        events: list[Event] = []
        for row in rows:
            try:
                events.append(Event.model_validate(row.payload))
            except ValidationError as exc:
                logger.error("outbox row %s (%s) holds an invalid event: %s", row.pk, row.event_id, exc)
                _record_failure([row], f"invalid payload: {exc}", now)
                continue
            sendable.append(row)
        if not events:
            return 0
        try:
            publisher.publish(events)
        except Exception as exc:
            logger.warning("outbox relay could not publish %d events: %r", len(events), exc, exc_info=True)
            _record_failure(sendable, repr(exc), now)
            return 0
        still_unpublished = OutboxEvent.objects.filter(
            pk__in=[row.pk for row in sendable], published_at__isnull=True
        )
        return still_unpublished.update(published_at=timezone.now(), attempts=F("attempts") + 1)


def inbox_handle(*, consumer: str, event: Event, handler: Callable[[Event], None]) -> bool:
    """Run ``handler(event)`` at most once per ``consumer``; return False if it already ran.

    The inbox row and the handler's writes share one transaction: if the handler raises, neither is
    kept and the exception propagates (the transport then redelivers). The row is inserted first, so a
    concurrent duplicate delivery blocks on the unique ``(consumer, event_id)`` index until the first
    finishes, then either sees the violation (first committed: returns False, handler not run) or
    proceeds (first rolled back). The handler must write only to this service's default database for
    the guarantee to hold.
    """
    with transaction.atomic():
        try:
            with transaction.atomic():  # a savepoint, so the violation does not poison the outer block
                InboxEvent.objects.create(consumer=consumer, event_id=event.event_id)
        except IntegrityError:
            logger.info("%s already handled %s %s; skipping", consumer, event.detail_type, event.event_id)
            return False
        handler(event)
    return True
