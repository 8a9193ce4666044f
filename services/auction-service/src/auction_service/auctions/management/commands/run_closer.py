"""`manage.py run_closer`: close due auctions on time and settle holds with the wallet, forever.

Polls every ``AUCTION_CLOSER_POLL_MS`` (indexed ``ends_at``, ``SKIP LOCKED``: several closers may
run at once); once a second it sweeps orphaned and unreleased holds and pending escrows.
``--once`` does one pass (tests, cron).
"""

from __future__ import annotations

import threading
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from auction_service.auctions.closing import auctions_close_due, holds_sweep
from dbay_common.shutdown import stop_on_signals


class Command(BaseCommand):
    help = "Close due auctions on time and settle their holds (runs until stopped)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="One pass, then exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:
            auctions_close_due()
            holds_sweep()
            return
        stop = threading.Event()
        last_sweep = 0.0
        with stop_on_signals(stop.set):
            while not stop.is_set():
                close_old_connections()
                auctions_close_due()
                if time.monotonic() - last_sweep >= 1:
                    holds_sweep()
                    last_sweep = time.monotonic()
                stop.wait(settings.AUCTION_CLOSER_POLL_MS / 1000)
