"""``manage.py relay_outbox``: publish committed outbox rows to the event bus until stopped."""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError, close_old_connections

from dbay_common.django.outbox.services import outbox_relay
from dbay_common.shutdown import stop_on_signals
from dbay_common.transports.base import build_publisher_from_env

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Publish outbox events to the bus (EVENT_BUS) in a loop; sleeps when idle and exits cleanly on "
        "SIGTERM. --once publishes everything due and exits."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="drain what is due now, then exit")
        parser.add_argument("--batch-size", type=int, default=100)
        parser.add_argument("--idle-sleep-s", type=float, default=0.5, help="pause when nothing is due")

    def handle(self, *args: Any, **options: Any) -> None:
        batch_size: int = options["batch_size"]
        idle_sleep_s: float = options["idle_sleep_s"]
        publisher = build_publisher_from_env()
        stop = threading.Event()
        total = 0
        database_failures = 0
        with stop_on_signals(stop.set):
            while not stop.is_set():
                try:
                    published = outbox_relay(publisher=publisher, batch_size=batch_size)
                    database_failures = 0
                except DatabaseError:
                    if options["once"]:
                        raise
                    # The database restarted or failed over: drop the dead connection and retry.
                    database_failures += 1
                    logger.exception("outbox relay cannot reach the database")
                    close_old_connections()
                    stop.wait(min(5.0, 0.5 * 2**database_failures))
                    continue
                total += published
                if published < batch_size:
                    if options["once"]:
                        break
                    stop.wait(idle_sleep_s)
        self.stdout.write(f"published {total} events")
