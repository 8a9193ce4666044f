"""Races through the HTTP API: a live server, many client threads, real connections end to end.

Each request is served by its own server thread with its own PostgreSQL connection, so the only
thing serialising them is the database: the account row locks and constraints.
"""

from __future__ import annotations

import random
import threading
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
from django.db import connection

from .ledger_helpers import assert_ledger_sound, counters, new_wallet

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("ledger_committed", "jwt_settings"),
]

B = 1_000_000_000  # 10 DOGE
SHARE = B * 6 // 10  # 0.6 B


def fire_at_once(
    requests_to_send: list[tuple[str, dict[str, Any], dict[str, str]]],
) -> list[requests.Response]:
    """POST every (url, body, headers) from its own thread, all released together."""
    barrier = threading.Barrier(len(requests_to_send))

    def send(item: tuple[str, dict[str, Any], dict[str, str]]) -> requests.Response:
        url, body, headers = item
        barrier.wait(timeout=30)
        return requests.post(url, json=body, headers=headers, timeout=60)

    with ThreadPoolExecutor(max_workers=len(requests_to_send)) as pool:
        return list(pool.map(send, requests_to_send))


class BalanceWatcher:
    """Reads a wallet's counters over and over while a race runs; remembers the lowest available."""

    def __init__(self, account_id: uuid.UUID) -> None:
        self.account_id = account_id
        self.lowest_available: int | None = None
        self.reads = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> BalanceWatcher:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _watch(self) -> None:
        try:
            while not self._stop.is_set():
                debits_posted, credits_posted, debits_pending, _ = counters(self.account_id)
                available = credits_posted - debits_posted - debits_pending
                self.lowest_available = min(available, self.lowest_available or available)
                self.reads += 1
        finally:
            connection.close()


@pytest.fixture
def internal(ledger_live_server, service_token):
    headers = {"Authorization": f"Bearer {service_token}"}
    return f"{ledger_live_server}/api/v1/wallet/internal", headers


def test_fifty_concurrent_holds_of_six_tenths_of_the_balance_let_exactly_one_through(internal):
    base, headers = internal
    wallet = new_wallet(B)
    bodies = [
        {
            "hold_id": str(uuid.uuid4()),
            "user_id": str(wallet.user_id),
            "amount_koinu": str(SHARE),
            "reason": "bid_hold",
            "reference": {"auction_id": f"a-{index}"},
        }
        for index in range(50)
    ]

    with BalanceWatcher(wallet.id) as watcher:
        responses = fire_at_once([(f"{base}/holds", body, headers) for body in bodies])

    statuses = Counter(response.status_code for response in responses)
    assert statuses == {201: 1, 400: 49}
    refusals = [response.json() for response in responses if response.status_code == 400]
    assert all(
        refusal
        == {
            "error": {
                "type": "invalid_request",
                "code": "insufficient_funds",
                "message": "The account's available balance is insufficient for this amount.",
                "param": "amount_koinu",
            }
        }
        for refusal in refusals
    )
    winner = next(response.json() for response in responses if response.status_code == 201)
    assert (winner["status"], winner["amount_koinu"]) == ("pending", str(SHARE))
    assert counters(wallet.id) == (0, B, SHARE, 0)
    assert watcher.reads > 0 and watcher.lowest_available is not None and watcher.lowest_available >= 0
    assert_ledger_sound()


def test_a_chain_of_transfers_a_to_b_to_c_racing_never_overdraws(internal):
    base, headers = internal
    a, b, c = new_wallet(B), new_wallet(), new_wallet()

    def transfer(debit: uuid.UUID, credit: uuid.UUID) -> tuple[str, dict[str, Any], dict[str, str]]:
        body = {
            "transfer_id": str(uuid.uuid4()),
            "debit": {"user_id": str(debit)},
            "credit": {"user_id": str(credit)},
            "amount_koinu": str(SHARE),
            "reason": "transfer",
        }
        return f"{base}/transfers", body, headers

    batch = [transfer(a.user_id, b.user_id) for _ in range(25)] + [
        transfer(b.user_id, c.user_id) for _ in range(25)
    ]
    random.Random(4).shuffle(batch)

    with BalanceWatcher(b.id) as watcher:
        responses = fire_at_once(batch)

    outcomes = Counter(
        (body["debit"]["user_id"], response.status_code)
        for (_, body, _), response in zip(batch, responses, strict=True)
    )
    a_to_b = outcomes[(str(a.user_id), 201)]
    b_to_c = outcomes[(str(b.user_id), 201)]
    assert a_to_b == 1
    assert b_to_c in (0, 1)
    assert outcomes[(str(a.user_id), 400)] == 24
    assert outcomes[(str(b.user_id), 400)] == 25 - b_to_c
    assert all(
        response.json()["error"]["code"] == "insufficient_funds"
        for response in responses
        if response.status_code == 400
    )
    assert counters(a.id) == (SHARE, B, 0, 0)
    assert counters(b.id) == (SHARE * b_to_c, SHARE, 0, 0)
    assert counters(c.id) == (0, SHARE * b_to_c, 0, 0)
    assert watcher.lowest_available is not None and watcher.lowest_available >= 0
    assert_ledger_sound()


@pytest.mark.parametrize("by", ["body id", "Idempotency-Key"])
def test_the_same_hold_twenty_times_at_once_has_one_effect_and_identical_answers(internal, by):
    base, headers = internal
    wallet = new_wallet(B)
    body = {
        "user_id": str(wallet.user_id),
        "amount_koinu": str(SHARE),
        "reason": "bid_hold",
        "expires_in_s": 600,
    }
    if by == "body id":
        body["hold_id"] = str(uuid.uuid4())
    else:
        headers = {**headers, "Idempotency-Key": f"bid-{uuid.uuid4()}"}

    responses = fire_at_once([(f"{base}/holds", body, headers)] * 20)

    assert {response.status_code for response in responses} == {201}
    assert len({response.content for response in responses}) == 1
    assert counters(wallet.id) == (0, B, SHARE, 0)
    assert_ledger_sound()


def test_the_same_transfer_twenty_times_at_once_has_one_effect_and_identical_answers(internal):
    base, headers = internal
    a, b = new_wallet(B), new_wallet()
    body = {
        "transfer_id": str(uuid.uuid4()),
        "debit": {"user_id": str(a.user_id)},
        "credit": {"user_id": str(b.user_id)},
        "amount_koinu": str(SHARE),
        "reason": "transfer",
        "reference": {"order_id": "o-1"},
    }

    responses = fire_at_once([(f"{base}/transfers", body, headers)] * 20)

    assert {response.status_code for response in responses} == {201}
    assert len({response.content for response in responses}) == 1
    assert counters(a.id) == (SHARE, B, 0, 0)
    assert counters(b.id) == (0, SHARE, 0, 0)
    assert_ledger_sound()


def test_the_same_post_twenty_times_at_once_posts_once(internal):
    base, headers = internal
    wallet = new_wallet(B)
    hold_id = str(uuid.uuid4())
    created = requests.post(
        f"{base}/holds",
        json={
            "hold_id": hold_id,
            "user_id": str(wallet.user_id),
            "amount_koinu": str(SHARE),
            "reason": "bid_hold",
        },
        headers=headers,
        timeout=30,
    )
    assert created.status_code == 201
    body = {
        "post_id": str(uuid.uuid4()),
        "amount_koinu": "1000",
        "destination_account": {"platform": "order_escrow"},
    }

    responses = fire_at_once([(f"{base}/holds/{hold_id}/post", body, headers)] * 20)

    assert {response.status_code for response in responses} == {200}
    assert len({response.content for response in responses}) == 1
    assert responses[0].json()["status"] == "posted"
    assert counters(wallet.id) == (1_000, B, 0, 0)
    assert_ledger_sound()
