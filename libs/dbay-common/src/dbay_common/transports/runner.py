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
from collections.abc import Callable, Iterator, Mapping

from dbay_common.events.context import handling_event
from dbay_common.events.envelope import Event
from dbay_common.sessions import SESSION_REVOKED, RevokedSessions, session_revoked_handler
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
    session_revocations: Callable[[], RevokedSessions] | None = None,
) -> None:
    """Consume as consumer group ``group`` until SIGTERM/SIGINT (or ``max_batches`` polls, for tests).

    Every service that accepts users' access tokens passes ``session_revocations`` (its own
    revocation list, :mod:`dbay_common.sessions`): the consumer then records each ``session.revoked``
    there, so the service refuses that session's tokens within moments of the revocation.

    A signal lets the event in hand finish and be acknowledged, then returns. ``consumer`` defaults to
    the one ``EVENT_BUS`` configures (:func:`~dbay_common.transports.base.build_consumer_from_env`).
    """
    if consumer is None:
        consumer = build_consumer_from_env(group=group)
    if session_revocations is not None:
        handlers = _with_session_revocations(handlers, session_revocations)
    dispatch = event_dispatcher(group=group, handlers=handlers, dedupe=dedupe)
    logger.info("%s consuming %s", group, ", ".join(sorted(handlers)) or "no event types yet")
    with stop_on_signals(consumer.stop):
        consumer.consume(dispatch, max_batches=max_batches, block_ms=block_ms)


class _MergedHandlers(Mapping[str, EventHandler]):
    """The service's handlers (read live, as tests extend them) plus the library's ``session.revoked``."""

    def __init__(self, handlers: Mapping[str, EventHandler], extra: dict[str, EventHandler]) -> None:
        self.handlers = handlers
        self.extra = extra

    def __getitem__(self, key: str) -> EventHandler:
        if key in self.handlers:
            return self.handlers[key]
        return self.extra[key]

    def __iter__(self) -> Iterator[str]:
        yield from self.handlers
        yield from (key for key in self.extra if key not in self.handlers)

    def __len__(self) -> int:
        return len(set(self.handlers) | set(self.extra))


def _with_session_revocations(
    handlers: Mapping[str, EventHandler], store: Callable[[], RevokedSessions]
) -> Mapping[str, EventHandler]:
    return _MergedHandlers(handlers, {SESSION_REVOKED: session_revoked_handler(store)})
