"""The worker as a process, stopped at a chosen step so a test can SIGKILL it there (test_kill.py).

``python tests/kill_worker.py MODE``, configured from the environment like the real worker:

- ``after-handler``: handle the event fully, print ``HANDLED``, then hang before the inbox record
  and the acknowledgement;
- ``before-email``: create the notification, print ``NOTIFIED``, then hang where the email intent
  would be written.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from dbay_common.events.envelope import Event
from notification_service import handlers, worker


def hang(line: str) -> None:
    print(line, flush=True)
    time.sleep(3600)


def main(mode: str) -> None:
    if mode == "after-handler":
        for name, handler in list(worker.HANDLERS.items()):

            def handled(event: Event, handler: Any = handler) -> None:
                handler(event)
                hang("HANDLED")

            worker.HANDLERS[name] = handled
    elif mode == "before-email":

        def stalled(**_kwargs: Any) -> bool:
            hang("NOTIFIED")
            return False

        handlers.email_queue = stalled  # type: ignore[assignment]
    worker.run(block_ms=100)


if __name__ == "__main__":
    main(sys.argv[1])
