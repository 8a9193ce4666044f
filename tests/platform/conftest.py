"""Fixtures of the platform tests: private copies of the stores, started exactly as the devstack does.

These tests stop, kill and restart servers, so they never touch the shared stores that the other
suites use: each fixture starts its own server, on a free port in a temporary folder, with the very
command line ``scripts/devstack`` gives supervisord (its functions are loaded from the script).
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]


def load_devstack() -> ModuleType:
    loader = importlib.machinery.SourceFileLoader("dbay_devstack", str(ROOT / "scripts" / "devstack"))
    spec = importlib.util.spec_from_loader("dbay_devstack", loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["dbay_devstack"] = module  # dataclasses look their module up while it loads
    loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def devstack() -> ModuleType:
    return load_devstack()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on port {port} after {timeout_s} s")


@dataclass
class Server:
    """A server process started from a devstack command line, restartable in the same folder."""

    command: list[str]
    port: int
    log: Path
    user: str | None = None
    process: subprocess.Popen[bytes] | None = None
    #: Called until it returns without raising, after the port opens (a server may still be starting).
    ready: Callable[[], object] | None = None

    def start(self) -> None:
        command = self.command
        if self.user is not None:
            command = ["setpriv", f"--reuid={self.user}", f"--regid={self.user}", "--init-groups", *command]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        wait_for_port(self.port)
        deadline = time.monotonic() + 20
        while self.ready is not None:
            try:
                self.ready()
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def signal(self, signum: int) -> None:
        assert self.process is not None
        self.process.send_signal(signum)

    def wait(self, timeout_s: float) -> int:
        assert self.process is not None
        return self.process.wait(timeout=timeout_s)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def workdir() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="dbay-platform-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def private_postgres(devstack: ModuleType, workdir: Path) -> Iterator[Server]:
    """A PostgreSQL cluster of its own, initialised and run with the devstack's command."""
    base = workdir / "postgres"
    base.mkdir()
    data = base / "data"
    devstack.postgres_initdb(data)
    port = free_port()
    user = devstack.store_user()
    server = Server(
        command=shlex.split(devstack.postgres_command(data_dir=data, port=port, socket_dir=base)),
        port=port,
        log=workdir / "postgres.log",
        user=user,
        ready=lambda: psycopg.connect(
            host="127.0.0.1", port=port, user="postgres", dbname="postgres"
        ).close(),
    )
    server.start()
    yield server
    server.stop()


@pytest.fixture
def private_redis(devstack: ModuleType, workdir: Path) -> Iterator[Server]:
    data = workdir / "redis"
    data.mkdir()
    port = free_port()
    server = Server(
        command=["/usr/bin/redis-server", *shlex.split(devstack.redis_arguments(port=port, data_dir=data))],
        port=port,
        log=workdir / "redis.log",
    )
    server.start()
    yield server
    server.stop()


def kill(server: Server) -> None:
    server.signal(signal.SIGKILL)
    server.wait(10)


def env_without(*names: str) -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if key not in names}


@pytest.fixture
def private_ferretdb(devstack: ModuleType, workdir: Path, private_postgres: Server) -> Iterator[Server]:
    """FerretDB on the private PostgreSQL, with the devstack's command line."""
    subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-p",
            str(private_postgres.port),
            "-U",
            "postgres",
            "-c",
            "CREATE DATABASE ferretdb",
        ],
        check=True,
        capture_output=True,
    )
    state = workdir / "ferretdb"
    state.mkdir()
    port = free_port()
    command = devstack.ferretdb_command(postgres_port=private_postgres.port, port=port, state_dir=state)
    server = Server(command=shlex.split(command), port=port, log=workdir / "ferretdb.log")
    server.start()
    yield server
    server.stop()
