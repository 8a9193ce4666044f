"""``manage.py follow_chain``: follow the node's best chain until SIGTERM (wallet_service.chain.follower)."""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection

from dbay_common.shutdown import stop_on_signals
from wallet_service import celery as _celery  # noqa: F401 - binds the outbox relay task to our broker
from wallet_service.chain.follower import FollowerState, chain_follow_step, follow_forever

logger = logging.getLogger(__name__)

#: Session lock of the active follower: a second replica waits as a hot standby.
FOLLOWER_SESSION_LOCK_KEY = 0x64426179_0003


class Command(BaseCommand):
    help = (
        "Follow the Dogecoin node block by block: record deposits to our addresses, credit them at "
        "DEPOSIT_CONFIRMATIONS, settle confirmed withdrawals, undo reorged blocks. Polls the best block "
        "every CHAIN_POLL_INTERVAL_MS; exits cleanly on SIGTERM. --once runs one step and exits."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="catch up once, scan the mempool, exit")
        parser.add_argument("--poll-interval-ms", type=int, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:
            result = chain_follow_step(state=FollowerState())
            self.stdout.write(str(result))
            return
        interval_ms = options["poll_interval_ms"] or int(settings.CHAIN_POLL_INTERVAL_MS)
        stop = threading.Event()
        with stop_on_signals(stop.set):
            if not _wait_for_lock(stop):
                return
            logger.info("chain follower active, polling every %d ms", interval_ms)
            follow_forever(should_stop=stop.is_set, poll_interval_s=interval_ms / 1000)
        logger.info("chain follower stopped")


def _wait_for_lock(stop: threading.Event) -> bool:
    """Take the follower's session lock, waiting while another follower holds it."""
    is_announced = False
    while not stop.is_set():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [FOLLOWER_SESSION_LOCK_KEY])
            (is_locked,) = cursor.fetchone()
        if is_locked:
            return True
        if not is_announced:
            logger.info("another chain follower is active; standing by")
            is_announced = True
        stop.wait(2.0)
    return False
