"""Real peers for auction-service's tests and benchmark.

* :class:`WalletPeer`: the real wallet-service (its own fresh PostgreSQL database, migrated, served
  by gunicorn), reached over HTTP with service tokens exactly as in production. Funding goes through
  its internal transfers API (fee_revenue → the member's wallet); audits run its own selectors.
* :class:`ListingPeer`: listing-service's internal ``auction-terms`` endpoint as the contract
  describes it, served on a loopback port from a dict (listing-service's own tests cover its side).
* :class:`ServiceProcess`: gunicorn running a service, its output read on a thread (``PAUSED``
  lines of the kill tests).
"""

from __future__ import annotations

import http.client
import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parents[3]
WALLET_DIR = ROOT / "services" / "wallet-service"
AUCTION_DIR = ROOT / "services" / "auction-service"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def postgres_url(name: str) -> str:
    from dbay_common.settings import dev_url

    return dev_url("postgres", name=name)


class ServiceProcess:
    """gunicorn serving ``app`` from ``cwd`` with ``env``; waits for /health/live."""

    def __init__(
        self, app: str, cwd: Path, env: dict[str, str], *, workers: int = 1, threads: int = 1
    ) -> None:
        self.port = free_port()
        command = [sys.executable, "-m", "gunicorn", app, "--bind", f"127.0.0.1:{self.port}"]
        command += ["--workers", str(workers), "--timeout", "120", "--backlog", "512"]
        if threads > 1:
            command += ["--threads", str(threads), "--worker-class", "gthread"]
        self.process = subprocess.Popen(
            command,
            cwd=cwd,
            env={**env, "GUNICORN_CMD_ARGS": ""},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        stream = self.process.stdout
        assert stream is not None
        threading.Thread(target=lambda: [self.lines.put(line) for line in stream], daemon=True).start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if self.request("GET", "/health/live")[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"gunicorn did not start: {self.drain()}")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def drain(self) -> str:
        while not self.lines.empty():
            self.output.append(self.lines.get())
        return "".join(self.output)[-4000:]

    def wait_for_pause(self, step: str, timeout_s: float = 60) -> int:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                continue
            self.output.append(line)
            if line.startswith(f"PAUSED {step} "):
                return int(line.split()[2])
        raise AssertionError(f"no PAUSED {step}: {self.drain()}")

    def request(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            payload = json.dumps(body).encode() if body is not None else None
            connection.request(
                method, path, body=payload, headers={"Content-Type": "application/json", **(headers or {})}
            )
            response = connection.getresponse()
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
        finally:
            connection.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def service_env(**extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("WALLET_", "AUCTION_"))}
    env.update(DBAY_ENV="test", PYTHONUNBUFFERED="1", INTERNAL_JWT_AUDIENCE="dbay-internal")
    env.update(extra)
    return env


class WalletPeer:
    """The real wallet-service on a fresh database of its own."""

    def __init__(self, *, jwks_url: str, service_token: str, workers: int = 2, threads: int = 4) -> None:
        self.database = f"test_wallet_auctions_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(postgres_url("postgres"), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{self.database}"')
        self.env = service_env(
            DJANGO_SETTINGS_MODULE="wallet_service.settings",
            DATABASE_URL=postgres_url(self.database),
            JWT_JWKS_URL=jwks_url,
        )
        migrate = subprocess.run(
            [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
            cwd=WALLET_DIR,
            env=self.env,
            capture_output=True,
            text=True,
        )
        assert migrate.returncode == 0, migrate.stderr[-3000:]
        # A float for the tests' funding: custody -> fee_revenue through the ledger's own service layer
        # (as a confirmed deposit would move it), then each member is funded over the internal API.
        seed = (
            "import django, uuid; django.setup();"
            "from wallet_service.ledger import services;"
            "from wallet_service.ledger.chart import PlatformAccount as P;"
            "services.transfer_create(transfer_id=uuid.uuid4(), debit_account_id=P.CUSTODY.account_id,"
            " credit_account_id=P.FEE_REVENUE.account_id, amount_koinu=10**17, reason='deposit')"
        )
        seeded = subprocess.run(
            [sys.executable, "-c", seed], cwd=WALLET_DIR, env=self.env, capture_output=True, text=True
        )
        assert seeded.returncode == 0, seeded.stderr[-3000:]
        self.server = ServiceProcess(
            "wallet_service.wsgi:application", WALLET_DIR, self.env, workers=workers, threads=threads
        )
        self.headers = {"Authorization": f"Bearer {service_token}"}

    @property
    def url(self) -> str:
        return self.server.url

    def fund(self, user_id: uuid.UUID, koinu: int) -> None:
        status, body = self.server.request(
            "POST",
            "/api/v1/wallet/internal/transfers",
            {
                "transfer_id": str(uuid.uuid4()),
                "debit": {"platform": "fee_revenue"},
                "credit": {"user_id": str(user_id)},
                "amount_koinu": str(koinu),
                "reason": "refund",
                "reference": {"test": "funding"},
            },
            self.headers,
        )
        assert status == 201, body

    def hold(self, hold_id: uuid.UUID) -> dict[str, Any] | None:
        status, body = self.server.request(
            "GET", f"/api/v1/wallet/internal/holds/{hold_id}", None, self.headers
        )
        return body if status == 200 else None

    def sql(self, query: str, *params: Any) -> list[tuple[Any, ...]]:
        with psycopg.connect(postgres_url(self.database)) as connection:
            return list(connection.execute(query, params).fetchall())

    def open_holds(self) -> dict[str, list[tuple[str, int, str]]]:
        """Every unresolved pending transfer, by user: (hold id, amount, reason)."""
        rows = self.sql(
            """SELECT a.user_id::text, h.id::text, h.amount_koinu, h.reason
               FROM ledger_transfer h JOIN ledger_account a ON a.id = h.debit_account_id
               WHERE h.kind = 'pending' AND a.user_id IS NOT NULL
                 AND NOT EXISTS (SELECT 1 FROM ledger_transfer r WHERE r.pending_id = h.id)"""
        )
        found: dict[str, list[tuple[str, int, str]]] = {}
        for user_id, hold_id, amount, reason in rows:
            found.setdefault(user_id, []).append((hold_id, int(amount), reason))
        return found

    def available(self, user_id: uuid.UUID) -> int:
        rows = self.sql(
            "SELECT credits_posted - debits_posted - debits_pending FROM ledger_account WHERE user_id = %s",
            user_id,
        )
        return int(rows[0][0]) if rows else 0

    def audit(self) -> dict[str, Any]:
        """The wallet's own checks: posted and pending sums (both 0) and the replay audit's findings."""
        script = (
            "import django, json; django.setup();"
            "from wallet_service.ledger.selectors import ("
            "ledger_sum, ledger_pending_sum, ledger_audit_findings);"
            "print(json.dumps({'sum': ledger_sum(), 'pending_sum': ledger_pending_sum(),"
            " 'findings': [repr(f) for f in ledger_audit_findings()]}))"
        )
        done = subprocess.run(
            [sys.executable, "-c", script], cwd=WALLET_DIR, env=self.env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return dict(json.loads(done.stdout.strip().splitlines()[-1]))

    def stop(self) -> None:
        self.server.stop()
        with psycopg.connect(postgres_url("postgres"), autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')


class ListingPeer:
    """listing-service's internal ``GET .../internal/listings/<id>/auction-terms``, from ``terms``."""

    def __init__(self) -> None:
        self.terms: dict[str, dict[str, Any]] = {}
        self.authorizations: list[str] = []
        peer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = self.path.strip("/").split("/")
                peer.authorizations.append(self.headers.get("Authorization", ""))
                found = (
                    peer.terms.get(parts[-2]) if len(parts) >= 2 and parts[-1] == "auction-terms" else None
                )
                status, body = (
                    (200, found)
                    if found
                    else (
                        404,
                        {
                            "error": {
                                "type": "invalid_request_error",
                                "code": "not_found",
                                "message": "No such listing.",
                            }
                        },
                    )
                )
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
