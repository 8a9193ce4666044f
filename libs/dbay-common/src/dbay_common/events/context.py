"""Which request or event the code is running for, so every event it publishes says so.

A request sets ``correlation_id_var`` (the Django middleware and the Flask hook do it from the
``X-Correlation-ID`` header or the request id). An event consumer wraps each handler in
:func:`handling_event`, which sets the correlation id to the handled event's (so a chain of events
started by one request keeps that request's id end to end) and the causation id to the handled
event's ``event_id``. :func:`new_event` reads both, so producers never pass them by hand and no
publish path can forget them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from pydantic import BaseModel

from dbay_common.events.envelope import Event
from dbay_common.logging import correlation_id_var

__all__ = ["causation_id_var", "handling_event", "new_event"]

#: ``event_id`` of the event being handled right now; ``None`` while serving a request.
causation_id_var: ContextVar[str | None] = ContextVar("dbay_causation_id", default=None)


@contextmanager
def handling_event(event: Event) -> Iterator[None]:
    """Run the body as the handler of ``event``: events published inside it are caused by ``event``.

    The correlation id becomes the event's own (or, for an event published without one, its
    ``event_id``), and is restored afterwards, so logs of the handler carry it too.
    """
    metadata = event.metadata
    correlation_token = correlation_id_var.set(metadata.correlation_id or metadata.event_id)
    causation_token = causation_id_var.set(metadata.event_id)
    try:
        yield
    finally:
        causation_id_var.reset(causation_token)
        correlation_id_var.reset(correlation_token)


def new_event(
    *,
    source: str,
    producer: str,
    detail_type: str,
    data: Mapping[str, Any] | BaseModel,
    version: int = 1,
) -> Event:
    """A new event whose correlation and causation ids come from the current request or event."""
    return Event.new(
        source=source,
        detail_type=detail_type,
        data=data,
        version=version,
        producer=producer,
        correlation_id=correlation_id_var.get(),
        causation_id=causation_id_var.get(),
    )
