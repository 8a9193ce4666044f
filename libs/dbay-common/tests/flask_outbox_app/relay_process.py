"""The slice's relay as a process, with modes that stop it at a chosen step so a test can SIGKILL it.

``python -m tests.flask_outbox_app.relay_process --database NAME --lease-s S --mode MODE``, the bus
from ``EVENT_BUS_*``. Modes: ``pass`` relays once and exits; ``hang-before-publish`` claims (locks
and reads) and then hangs where it would publish; ``hang-after-publish`` publishes and then hangs
before removing the events. Each prints one line when it reaches its step and flushes it.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

from pymongo import MongoClient

from dbay_common.events.envelope import Event
from dbay_common.mongo import outbox_relay
from dbay_common.settings import dev_url
from dbay_common.transports.base import EventPublisher, build_publisher_from_env


class SteppedPublisher:
    def __init__(self, inner: EventPublisher, mode: str) -> None:
        self.inner = inner
        self.mode = mode

    def publish(self, events: Sequence[Event]) -> None:
        if self.mode == "hang-before-publish":
            print(f"CLAIMED {len(events)}", flush=True)
            time.sleep(3600)
        self.inner.publish(events)
        if self.mode == "hang-after-publish":
            print(f"PUBLISHED {len(events)}", flush=True)
            time.sleep(3600)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", required=True)
    parser.add_argument("--lease-s", type=float, default=30.0)
    parser.add_argument(
        "--mode", choices=["pass", "hang-before-publish", "hang-after-publish"], default="pass"
    )
    args = parser.parse_args()
    client: MongoClient[dict] = MongoClient(dev_url("mongodb"), tz_aware=True)
    published = outbox_relay(
        database=client[args.database],
        collections=["widgets"],
        publisher=SteppedPublisher(build_publisher_from_env(), args.mode),
        lease_s=args.lease_s,
    )
    print(f"DONE {published}", flush=True)
    sys.exit(0)


if __name__ == "__main__":
    main()
