"""A web worker dying under traffic is invisible but for the requests it was serving."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import httpx
import pytest

from tests.platform.conftest import ROOT, free_port, wait_for_port

REQUESTS = 400
CLIENT_THREADS = 8
KILL_AFTER = 100


@pytest.fixture
def web_server(devstack: ModuleType, tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """messaging-service's WSGI app under gunicorn, with exactly the devstack's arguments."""
    port = free_port()
    arguments = shlex.split(devstack.gunicorn_arguments(port=port))
    process = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "messaging_service.wsgi:app", *arguments],
        cwd=ROOT / "services" / "messaging-service",
        stdout=(tmp_path / "gunicorn.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    wait_for_port(port)
    yield process, port
    process.terminate()
    process.wait(timeout=15)


def worker_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def test_killing_one_worker_fails_at_most_its_in_flight_requests(
    web_server: tuple[subprocess.Popen[bytes], int],
) -> None:
    master, port = web_server
    deadline = time.monotonic() + 20
    while len(worker_pids(master.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(worker_pids(master.pid)) == 2
    results: list[tuple[float, float, int]] = []  # (sent, answered, status or 0 for a failure)
    lock = threading.Lock()
    counter = iter(range(REQUESTS))
    killed_at: list[float] = []

    def client() -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            for index in counter:
                sent = time.monotonic()
                try:
                    status = http.get("/health/live", headers={"Connection": "close"}).status_code
                except httpx.HTTPError:
                    status = 0
                with lock:
                    results.append((sent, time.monotonic(), status))
                if index == KILL_AFTER:
                    victim = worker_pids(master.pid)[0]
                    killed_at.append(time.monotonic())
                    os.kill(victim, signal.SIGKILL)

    threads = [threading.Thread(target=client) for _ in range(CLIENT_THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    kill_time = killed_at[0]
    failures = [result for result in results if result[2] != 200]
    after_kill = [result for result in results if result[0] > kill_time]
    slowest_after_kill_s = max(answered - sent for sent, answered, _ in after_kill)
    assert len(results) == REQUESTS
    # Only requests already inside the dead worker when it died may fail...
    assert all(sent <= kill_time for sent, _, _ in failures), failures
    assert len(failures) <= CLIENT_THREADS
    # ...and the survivor answers at once: nobody waits for the replacement worker to boot.
    assert all(status == 200 for _, _, status in after_kill)
    assert slowest_after_kill_s < 1.0, slowest_after_kill_s
