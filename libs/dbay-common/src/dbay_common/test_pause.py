"""A test hook that freezes a server process at a named step, so a kill test can SIGKILL it there.

A service reads the path of a pause file from a setting that is refused in production
(``WALLET_TEST_PAUSE_FILE``, ``AUCTION_TEST_PAUSE_FILE``) and calls :func:`pause_if_asked` at each step
worth killing at. When the file names that step, the file is deleted (only one request pauses), the
process prints ``PAUSED <step> <pid>`` to its output and sleeps until it is killed.
"""

from __future__ import annotations

import os
import time


def pause_if_asked(pause_file: str, step: str) -> None:
    """Stop here forever if ``pause_file`` (empty: the hook is off) names ``step``."""
    if not pause_file:
        return
    try:
        with open(pause_file, encoding="utf-8") as handle:
            wanted = handle.read().strip()
    except FileNotFoundError:
        return
    if wanted != step:
        return
    try:
        os.unlink(pause_file)
    except FileNotFoundError:
        return  # another worker took this pause first
    print(f"PAUSED {step} {os.getpid()}", flush=True)
    while True:
        time.sleep(1)
