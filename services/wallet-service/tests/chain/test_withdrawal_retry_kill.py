"""A retried withdrawal never pays twice, whatever dies when (issue 8, item 11).

The wallet's WSGI app runs under a real gunicorn. A test hook (``WALLET_TEST_PAUSE_FILE``) freezes
the worker at one step of a withdrawal request and the test SIGKILLs it there; the client's
connection breaks, and it retries with the same Idempotency-Key: at once (the key's record is still
``in_progress``: 409) and after the idempotency lock timeout (6 s here). Then the signer runs and a
block is mined. Exactly one withdrawal, one hold and one payment on chain, every time.
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
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from dbay_common.django.idempotency.models import IdempotencyRecord
from dbay_common.django.outbox.models import OutboxEvent
from dbay_common.testing.plugin import JwksServer
from dbay_common.testing.sessions import UserSessions
from wallet_service.chain import booking
from wallet_service.chain.keys import account_public_key
from wallet_service.chain.models import ChainTransaction, Withdrawal
from wallet_service.chain.networks import NETWORKS
from wallet_service.chain.rpc import NodeClient
from wallet_service.chain.signer import signer_step
from wallet_service.chain.signer_keys import load_signer_keys
from wallet_service.ledger.models import Transfer
from wallet_service.ledger.selectors import ledger_sum

from .conftest import SERVICE_DIR, UNIT, Follower, NodeHarness, SessionKeys, available_koinu, process_env

LOCK_TIMEOUT_S = 6
STEPS = ("after_withdrawal_commit", "before_idempotency_record", "after_idempotency_record")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class WebServer:
    """gunicorn serving wallet_service.wsgi with one worker; its output read on a thread."""

    def __init__(self, env: dict[str, str]) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "wallet_service.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "1",
                "--timeout",
                "120",
            ],
            cwd=SERVICE_DIR,
            env=env,
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

    def drain(self) -> str:
        while not self.lines.empty():
            self.output.append(self.lines.get())
        return "".join(self.output)[-4000:]

    def wait_for_pause(self, step: str, timeout_s: float = 60) -> int:
        """The pid of the worker that printed ``PAUSED <step> <pid>``."""
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
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], Any]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            payload = json.dumps(body).encode() if body is not None else None
            connection.request(
                method, path, body=payload, headers={"Content-Type": "application/json", **(headers or {})}
            )
            response = connection.getresponse()
            raw = response.read()
            return response.status, dict(response.getheaders()), json.loads(raw) if raw else None
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


@pytest.fixture
def web(
    tmp_path: Path,
    session_keys: SessionKeys,
    dogecoin_rpc_url: str,
    jwt_settings: JwksServer,
    platform_accounts: None,
    user_sessions: UserSessions,
) -> Iterator[tuple[WebServer, Path]]:
    pause_file = tmp_path / "pause"
    env = process_env(
        session_keys,
        dogecoin_rpc_url,
        USER_SERVICE_URL=user_sessions.url,
        WALLET_TEST_PAUSE_FILE=str(pause_file),
        JWT_JWKS_URL=jwt_settings.url,
        IDEMPOTENCY_LOCK_TIMEOUT_S=str(LOCK_TIMEOUT_S),
        GUNICORN_CMD_ARGS="",
    )
    server = WebServer(env)
    try:
        yield server, pause_file
    finally:
        server.stop()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("step", STEPS)
def test_withdrawal_retried_after_the_worker_was_killed_is_paid_exactly_once(
    step: str,
    web: tuple[WebServer, Path],
    node: NodeHarness,
    follower: Follower,
    funded_user: Callable[[int], uuid.UUID],
    auth_headers: Callable[..., dict[str, str]],
    session_keys: SessionKeys,
    dogecoin_rpc_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server, pause_file = web
    user_id = funded_user(3 * UNIT)
    destination = node.new_address()
    key = uuid.uuid4().hex
    headers = {
        "Authorization": auth_headers(user_id)["HTTP_AUTHORIZATION"],
        "Idempotency-Key": key,
    }
    body = {"address": destination, "amount_koinu": str(UNIT)}
    expected_id = str(booking.withdrawal_id_for_request(user_id, key))

    # 1. The first request: the worker is SIGKILLed at the step; the client sees its connection drop.
    pause_file.write_text(step)
    outcome: dict[str, Any] = {}

    def first_request() -> None:
        try:
            outcome["response"] = server.request("POST", "/api/v1/wallet/withdrawals", body, headers)
        except (OSError, http.client.HTTPException) as error:
            outcome["error"] = error

    client = threading.Thread(target=first_request)
    client.start()
    worker_pid = server.wait_for_pause(step)
    os.kill(worker_pid, signal.SIGKILL)
    client.join(timeout=30)
    assert "error" in outcome, outcome  # the client never got an answer

    [record] = IdempotencyRecord.objects.filter(key=key)
    assert record.state == ("completed" if step == "after_idempotency_record" else "in_progress")
    assert list(Withdrawal.objects.values_list("id", flat=True)) == [uuid.UUID(expected_id)]

    # 2. A retry at once: in progress (409), or the stored answer replayed.
    status, response_headers, answer = server.request("POST", "/api/v1/wallet/withdrawals", body, headers)
    if step == "after_idempotency_record":
        assert (status, answer["id"], response_headers.get("Idempotent-Replayed")) == (
            201,
            expected_id,
            "true",
        )
    else:
        assert (status, answer["error"]["code"]) == (409, "idempotency_request_in_progress")

    # 3. A retry after the lock timeout: the same withdrawal, never a second one.
    time.sleep(LOCK_TIMEOUT_S + 0.5)
    status, response_headers, answer = server.request("POST", "/api/v1/wallet/withdrawals", body, headers)
    assert status == 201, answer
    assert response_headers.get("Idempotent-Replayed") == "true"
    assert {k: answer[k] for k in ("id", "address", "amount_koinu", "fee_koinu", "status")} == {
        "id": expected_id,
        "address": destination,
        "amount_koinu": str(UNIT),
        "fee_koinu": "1000000",
        "status": "approved",
    }
    # The same key with another body is refused, not a new withdrawal.
    status, _, answer = server.request(
        "POST", "/api/v1/wallet/withdrawals", {**body, "amount_koinu": str(2 * UNIT)}, headers
    )
    assert (status, answer["error"]["code"]) == (422, "idempotency_key_reused")

    assert Withdrawal.objects.count() == 1
    holds = Transfer.objects.filter(reason="withdrawal", kind="pending", reference__withdrawal_id=expected_id)
    assert holds.count() == 1
    assert OutboxEvent.objects.filter(detail_type="withdrawal.requested").count() == 1
    assert available_koinu(user_id) == 3 * UNIT - UNIT - 1_000_000

    # 4. The signer pays it, once.
    monkeypatch.setenv("SIGNER_SEED_MNEMONIC", session_keys.mnemonic)
    keys = load_signer_keys(network=NETWORKS["regtest"], account_xpub=account_public_key())
    rpc = NodeClient(dogecoin_rpc_url)
    signer_step(keys=keys, client=rpc)
    assert not signer_step(keys=keys, client=rpc).signed
    node.mine(1)
    follower.step()
    [chain_tx] = ChainTransaction.objects.all()
    assert node.received_outputs(destination) == [(chain_tx.txid, UNIT)]
    assert Withdrawal.objects.get().status == "confirmed"
    assert ledger_sum() == 0
