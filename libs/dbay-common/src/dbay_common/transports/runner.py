"""The loop of every event consumer process: route each event to its handler, stop on SIGTERM.

Django services run it through ``manage.py consume_events`` (with the inbox as ``dedupe``, so a
redelivered event changes nothing twice); Flask services from their ``worker.py``::

    HANDLERS: dict[str, EventHandler] = {"listing.published": on_listing_published}

    def run(*, max_batches: int | None = None, block_ms: int = 1000) -> None:
        run_consumer(group=SERVICE, handlers=HANDLERS, max_batches=max_batches, block_ms=block_ms)

Events of types with no handler are acknowledged and ignored: on Redis Streams every group sees every
event. A handler that raises leaves its event to be delivered again (and dead-lettered after
``EVENT_MAX_ATTEMPTS``), so without ``dedupe`` handlers must be idempotent (keyed by the event id).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from dbay_common.events.context import handling_event
from dbay_common.events.envelope import Event
from dbay_common.shutdown import stop_on_signals
from dbay_common.transports.base import EventConsumer, EventHandler, build_consumer_from_env

__all__ = ["Dedupe", "event_dispatcher", "run_consumer"]

logger = logging.getLogger(__name__)

#: ``dedupe(event, handler)`` runs ``handler(event)`` at most once per event (e.g. through an inbox).
Dedupe = Callable[[Event, EventHandler], object]


def event_dispatcher(
    *, group: str, handlers: Mapping[str, EventHandler], dedupe: Dedupe | None = None
) -> EventHandler:
    """The one handler given to the transport: route by ``detail_type``, through ``dedupe`` if given.

    ``handlers`` is read at each event, so a handler added to the mapping later is used. Each handler
    runs inside :func:`~dbay_common.events.context.handling_event`, so what it publishes carries the
    handled event's correlation id and names it as the cause.
    """

    def dispatch(event: Event) -> None:
        handler = handlers.get(event.detail_type)
        if handler is None:
            logger.debug("%s ignores %s", group, event.detail_type)
            return
        with handling_event(event):
            if dedupe is None:
                handler(event)
            else:
                dedupe(event, handler)

    return dispatch


def run_consumer(
    *,
    group: str,
    handlers: Mapping[str, EventHandler],
    dedupe: Dedupe | None = None,
    max_batches: int | None = None,
    block_ms: int = 1000,
    consumer: EventConsumer | None = None,
) -> None:
    """Consume as consumer group ``group`` until SIGTERM/SIGINT (or ``max_batches`` polls, for tests).

    A signal lets the event in hand finish and be acknowledged, then returns. ``consumer`` defaults to
    the one ``EVENT_BUS`` configures (:func:`~dbay_common.transports.base.build_consumer_from_env`).
    """
    if consumer is None:
        consumer = build_consumer_from_env(group=group)
    dispatch = event_dispatcher(group=group, handlers=handlers, dedupe=dedupe)
    logger.info("%s consuming %s", group, ", ".join(sorted(handlers)) or "no event types yet")
    with stop_on_signals(consumer.stop):
        consumer.consume(dispatch, max_batches=max_batches, block_ms=block_ms)
