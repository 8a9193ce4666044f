"""``manage.py consume_events``: feed bus events to this service's handlers, each exactly once.

``settings.DBAY_SERVICE`` names the consumer group (and the inbox consumer); ``settings.
DBAY_EVENT_HANDLERS = "pkg.module:HANDLERS"`` points at a dict ``{detail_type: callable(Event)}``.
Each event runs through :func:`inbox_handle`, so a redelivered event does nothing the second time.
Types with no handler are acknowledged and ignored: on Redis Streams every group sees every event.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections, connection

from dbay_common.django.outbox.services import inbox_handle
from dbay_common.events.envelope import Event
from dbay_common.sessions import revoked_sessions
from dbay_common.transports.base import EventHandler
from dbay_common.transports.runner import Dedupe, run_consumer

Handlers = Mapping[str, EventHandler]


def load_event_handlers(path: str) -> Handlers:
    """Import ``"pkg.module:NAME"`` and check it maps detail types to callables (fail at start-up)."""
    module_name, _, attribute = path.partition(":")
    if not module_name or not attribute:
        raise CommandError(f"DBAY_EVENT_HANDLERS must look like 'pkg.module:HANDLERS', got {path!r}")
    handlers = getattr(importlib.import_module(module_name), attribute)
    if not isinstance(handlers, Mapping) or not all(
        isinstance(key, str) and callable(value) for key, value in handlers.items()
    ):
        raise CommandError(f"{path} must be a dict of detail_type -> callable(Event)")
    return handlers


def inbox_dedupe(*, consumer: str) -> Dedupe:
    """Run each handler through :func:`inbox_handle`, so an event changes nothing twice."""

    def dedupe(event: Event, handler: EventHandler) -> None:
        # As Django does around each request: drop a connection the server closed while we waited.
        if not connection.in_atomic_block:
            close_old_connections()
        inbox_handle(consumer=consumer, event=event, handler=handler)

    return dedupe


class Command(BaseCommand):
    help = "Consume events from the bus (EVENT_BUS) and dispatch them to settings.DBAY_EVENT_HANDLERS."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--max-batches", type=int, default=None, help="stop after N polls (tests)")
        parser.add_argument("--block-ms", type=int, default=1000, help="how long one poll waits")

    def handle(self, *args: Any, **options: Any) -> None:
        service = getattr(settings, "DBAY_SERVICE", "")
        handlers_path = getattr(settings, "DBAY_EVENT_HANDLERS", "")
        if not service or not handlers_path:
            raise CommandError("settings.DBAY_SERVICE and settings.DBAY_EVENT_HANDLERS are required")
        run_consumer(
            group=service,
            handlers=load_event_handlers(handlers_path),
            dedupe=inbox_dedupe(consumer=service),
            max_batches=options["max_batches"],
            block_ms=options["block_ms"],
            session_revocations=lambda: revoked_sessions(settings.REDIS_URL),
        )
