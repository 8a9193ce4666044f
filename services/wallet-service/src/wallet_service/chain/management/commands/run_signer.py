"""``manage.py run_signer``: the signer process, sole holder of the hot key (wallet_service.chain.signer)."""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, close_old_connections

from dbay_common.settings import is_production
from dbay_common.shutdown import stop_on_signals
from wallet_service import celery as _celery  # noqa: F401 - binds the outbox relay task to our broker
from wallet_service.chain.keys import account_public_key, configured_network
from wallet_service.chain.rpc import node_client
from wallet_service.chain.signer import PAUSE_POINTS, signer_lock, signer_step
from wallet_service.chain.signer_keys import load_signer_keys

logger = logging.getLogger(__name__)


def _pause_hook() -> Any:
    """SIGNER_TEST_PAUSE_AT=<point>: stop forever at that point so a test can SIGKILL the process there."""
    point = os.environ.pop("SIGNER_TEST_PAUSE_AT", "").strip()
    if not point:
        return lambda _point: None
    if is_production():
        raise CommandError("SIGNER_TEST_PAUSE_AT is a test hook and is refused in production")
    if point not in PAUSE_POINTS:
        raise CommandError(f"SIGNER_TEST_PAUSE_AT must be one of {', '.join(PAUSE_POINTS)}")

    def pause(reached: str) -> None:
        if reached == point:
            sys.stdout.write(f"PAUSED {point}\n")
            sys.stdout.flush()
            while True:
                time.sleep(3600)

    return pause


class Command(BaseCommand):
    help = (
        "Sign and broadcast approved withdrawals with the hot key (SIGNER_SEED_MNEMONIC or SIGNER_XPRV in "
        "this process's environment only). Stores each signed transaction before broadcasting it and "
        "rebroadcasts stored ones after a restart. One signer at a time (advisory lock). --once: one round."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="one round (broadcast, sign one batch), then exit"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        keys = load_signer_keys(network=configured_network(), account_xpub=account_public_key())
        pause = _pause_hook()
        client = node_client()
        stop = threading.Event()
        interval_s = int(settings.SIGNER_POLL_INTERVAL_MS) / 1000
        with stop_on_signals(stop.set):
            while not signer_lock():
                if options["once"]:
                    raise CommandError("another signer is running")
                logger.info("another signer holds the lock; standing by")
                if stop.wait(2.0):
                    return
            logger.info("signer active")
            while not stop.is_set():
                try:
                    result = signer_step(keys=keys, client=client, pause=pause)
                except DatabaseError:
                    logger.exception("signer cannot reach the database")
                    close_old_connections()
                    if options["once"]:
                        raise
                    stop.wait(2.0)
                    continue
                except Exception:
                    logger.exception("signer step failed")
                    if options["once"]:
                        raise
                    stop.wait(2.0)
                    continue
                if options["once"]:
                    self.stdout.write(str(result))
                    return
                if not result.changed:
                    stop.wait(interval_s)
        logger.info("signer stopped")
