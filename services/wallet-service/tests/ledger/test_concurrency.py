"""Races through the service layer: real threads, each with its own PostgreSQL connection.

These tests commit (transactional database); ``ledger_committed`` puts back the platform accounts
that the flush between transactional tests removes.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from dbay_common.errors import ApiError
from wallet_service.ledger import services
from wallet_service.ledger.chart import PlatformAccount, expiry_void_id
from wallet_service.ledger.models import Transfer
from wallet_service.ledger.services import TransferSpec

from .ledger_helpers import BID_HOLDS, FEE_REVENUE, assert_ledger_sound, counters, new_wallet

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("ledger_committed")]


def run_at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run ``calls`` in as many threads, released together; each result or the exception raised."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], Any]) -> Any:
        try:
            barrier.wait(timeout=30)
            return call()
        except Exception as error:
            return error
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def outcome(result: Any) -> str:
    if isinstance(result, ApiError):
        return result.code
    if isinstance(result, Exception):
        return f"unexpected {result!r}"
    return "ok"


def spend(wallet_id: uuid.UUID, amount: int, *, transfer_id: uuid.UUID | None = None) -> Callable[[], Any]:
    return lambda: services.transfer_create(
        transfer_id=transfer_id or uuid.uuid4(),
        debit_account_id=wallet_id,
        credit_account_id=FEE_REVENUE,
        amount_koinu=amount,
        reason="fee",
    )


def test_concurrent_spends_of_more_than_half_the_balance_let_exactly_one_through():
    wallet = new_wallet(1_000)

    results = run_at_once([spend(wallet.id, 600) for _ in range(30)])

    assert Counter(outcome(result) for result in results) == {"ok": 1, "insufficient_funds": 29}
    assert counters(wallet.id) == (600, 1_000, 0, 0)
    assert Transfer.objects.filter(debit_account_id=wallet.id).count() == 1
    assert_ledger_sound()


def test_a_hot_account_loses_no_update_under_concurrent_transfers():
    wallets = [new_wallet(10_000) for _ in range(8)]

    def many(wallet_id: uuid.UUID) -> Callable[[], Any]:
        def run() -> int:
            for _ in range(40):
                spend(wallet_id, 7)()
            return 40

        return run

    results = run_at_once([many(wallet.id) for wallet in wallets])

    assert results == [40] * 8
    assert counters(FEE_REVENUE) == (0, 8 * 40 * 7, 0, 0)
    assert_ledger_sound()


def test_opposite_transfers_between_two_wallets_never_deadlock():
    a, b = new_wallet(100_000), new_wallet(100_000)

    def back_and_forth(debit: uuid.UUID, credit: uuid.UUID) -> Callable[[], Any]:
        def run() -> int:
            for _ in range(25):
                services.transfer_create(
                    transfer_id=uuid.uuid4(),
                    debit_account_id=debit,
                    credit_account_id=credit,
                    amount_koinu=3,
                    reason="transfer",
                )
            return 25

        return run

    results = run_at_once(
        [back_and_forth(a.id, b.id) for _ in range(6)] + [back_and_forth(b.id, a.id) for _ in range(6)]
    )

    assert results == [25] * 12
    assert counters(a.id) == (6 * 25 * 3, 100_000 + 6 * 25 * 3, 0, 0)
    assert counters(b.id) == (6 * 25 * 3, 100_000 + 6 * 25 * 3, 0, 0)
    assert_ledger_sound()


def test_the_same_transfer_twenty_times_at_once_has_one_effect_and_one_answer():
    wallet = new_wallet(1_000)
    transfer_id = uuid.uuid4()

    results = run_at_once([spend(wallet.id, 600, transfer_id=transfer_id) for _ in range(20)])

    assert {outcome(result) for result in results} == {"ok"}
    assert len({(r.id, r.amount_koinu, r.created_at) for r in results}) == 1
    assert counters(wallet.id) == (600, 1_000, 0, 0)
    assert_ledger_sound()


def test_the_same_linked_group_ten_times_at_once_applies_once():
    a, b = new_wallet(1_000), new_wallet()
    ids = [uuid.uuid4(), uuid.uuid4()]
    group = [
        TransferSpec.single(
            transfer_id=ids[0], debit_account_id=a.id, credit_account_id=b.id, amount_koinu=600, reason="t"
        ),
        TransferSpec.pending_transfer(
            transfer_id=ids[1],
            debit_account_id=b.id,
            credit_account_id=BID_HOLDS,
            amount_koinu=600,
            reason="t",
        ),
    ]

    results = run_at_once([lambda: services.transfers_create_linked(transfers=group) for _ in range(10)])

    assert {outcome(result) for result in results} == {"ok"}
    recorded = {t.id: t.created_at for t in Transfer.objects.filter(id__in=ids)}
    assert {tuple((t.id, t.created_at) for t in result) for result in results} == {
        tuple((transfer_id, recorded[transfer_id]) for transfer_id in ids)
    }
    assert counters(a.id) == (600, 1_000, 0, 0)
    assert counters(b.id) == (0, 600, 600, 0)
    assert_ledger_sound()


def test_two_sweeps_at_once_void_each_expired_hold_exactly_once():
    wallets = [new_wallet(10_000) for _ in range(4)]
    holds = [
        services.transfer_create(
            transfer_id=uuid.uuid4(),
            debit_account_id=wallets[index % 4].id,
            credit_account_id=BID_HOLDS,
            amount_koinu=10 + index,
            reason="bid_hold",
            pending=True,
            timeout_s=60,
        )
        for index in range(60)
    ]
    later = timezone.now() + timedelta(seconds=120)

    def sweep_until_done() -> int:
        total = 0
        while True:
            voided = services.transfers_void_expired(now=later, batch_size=7)
            total += voided
            if voided == 0 and not _open_expired(later):
                return total

    results = run_at_once([sweep_until_done, sweep_until_done])

    assert sum(results) == 60
    voids = Transfer.objects.filter(pending_id__in=[h.id for h in holds])
    assert sorted(v.id for v in voids) == sorted(expiry_void_id(h.id) for h in holds)
    assert {v.reason for v in voids} == {"expired"}
    for wallet in wallets:
        assert counters(wallet.id) == (0, 10_000, 0, 0)
    assert counters(BID_HOLDS) == (0, 0, 0, 0)
    assert_ledger_sound()


def _open_expired(now: Any) -> bool:
    return (
        Transfer.objects.filter(kind="pending", timeout_at__lte=now)
        .exclude(id__in=Transfer.objects.filter(pending_id__isnull=False).values("pending_id"))
        .exists()
    )


def test_posts_racing_the_sweep_resolve_each_hold_exactly_once():
    wallet = new_wallet(100_000)
    holds = [
        services.transfer_create(
            transfer_id=uuid.uuid4(),
            debit_account_id=wallet.id,
            credit_account_id=BID_HOLDS,
            amount_koinu=100,
            reason="bid_hold",
            pending=True,
            timeout_s=60,
        )
        for _ in range(40)
    ]
    later = timezone.now() + timedelta(seconds=120)

    def post_all() -> int:
        posted = 0
        for pending in holds:
            try:
                services.transfer_post_pending(
                    transfer_id=uuid.uuid4(), pending_id=pending.id, amount_koinu=60
                )
                posted += 1
            except ApiError as error:
                assert error.code == "pending_transfer_expired", error
        return posted

    def sweep() -> int:
        total = 0
        for _ in range(100):
            total += services.transfers_void_expired(now=later, batch_size=3)
            if not _open_expired(later):
                break
        return total

    posted, expired = run_at_once([post_all, sweep])

    assert posted + expired == 40
    resolutions = Counter(
        Transfer.objects.filter(pending_id__in=[h.id for h in holds]).values_list("kind", flat=True)
    )
    assert resolutions == Counter({"post_pending": posted, "void_pending": expired})
    assert counters(wallet.id) == (60 * posted, 100_000, 0, 0)
    assert_ledger_sound()


def test_the_same_correction_ten_times_at_once_corrects_once():
    wallet = new_wallet()
    credit = services.transfer_create(
        transfer_id=uuid.uuid4(),
        debit_account_id=PlatformAccount.CUSTODY.account_id,
        credit_account_id=wallet.id,
        amount_koinu=1_000,
        reason="deposit",
    )
    reversal_id = uuid.uuid4()

    results = run_at_once(
        [lambda: services.transfer_reverse(transfer_id=reversal_id, corrects_id=credit.id) for _ in range(10)]
    )

    assert {outcome(result) for result in results} == {"ok"}
    assert {(r.id, r.amount_koinu, r.created_at) for r in results} == {
        (reversal_id, 1_000, Transfer.objects.get(id=reversal_id).created_at)
    }
    assert counters(wallet.id) == (1_000, 1_000, 0, 0)
    assert_ledger_sound()
