"""Publishing events from the bid path without paying for a broker connection per bid.

`dbay_common.django.events.publish` queues the outbox relay after every commit, opening a broker
connection each time (about 20 ms, more under load): on the hottest path of the service that cost
more than the bid itself. Here the outbox row is written the same way (validated, stamped, in the
caller's transaction) but the relay is *kicked* after commit: a flag for one background thread per
process, which queues one relay run per kick burst. A kick that arrives while a run is being queued
sets the flag again, so a commit is always followed by a relay queued after it; beat's periodic relay
remains the safety net.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import transaction
from pydantic import BaseModel

from dbay_common.django.celery import enqueue_now, relay_outbox_task
from dbay_common.django.outbox.services import outbox_publish
from dbay_common.events.context import new_event
from dbay_common.events.envelope import Event

_wanted = threading.Event()
_started = False
_start_lock = threading.Lock()


def _run() -> None:
    while True:
        _wanted.wait()
        _wanted.clear()
        enqueue_now(relay_outbox_task)


def kick() -> None:
    """Ask for a relay run soon (after the caller's commit: call it from ``on_commit``)."""
    global _started
    if not _started:
        with _start_lock:
            if not _started:
                threading.Thread(target=_run, name="outbox-relay-kick", daemon=True).start()
                _started = True
    _wanted.set()


_buffer = threading.local()


@contextmanager
def collected() -> Iterator[list[Event]]:
    """Collect the events published inside the block instead of writing them one row at a time; the
    caller writes them with its own statement (`outbox_rows_json`) in the same transaction."""
    events: list[Event] = []
    _buffer.events = events
    try:
        yield events
    finally:
        _buffer.events = None


def outbox_rows_json(events: list[Event]) -> str:
    """The outbox rows of ``events`` as a JSON array (event_id, source, detail_type, payload)."""
    return json.dumps(
        [
            {
                "event_id": event.event_id,
                "source": event.source,
                "detail_type": event.detail_type,
                "payload": event.to_dict(),
            }
            for event in events
        ]
    )


def publish(detail_type: str, data: BaseModel, *, version: int = 1) -> None:
    """Like `dbay_common.django.events.publish` (must run inside the transaction), kicking the relay."""
    event = new_event(
        source=settings.DBAY_EVENT_SOURCE,
        producer=settings.DBAY_SERVICE,
        detail_type=detail_type,
        data=data,
        version=version,
    )
    buffer: list[Event] | None = getattr(_buffer, "events", None)
    if buffer is not None:
        buffer.append(event)
    else:
        outbox_publish(event)
    transaction.on_commit(kick)
