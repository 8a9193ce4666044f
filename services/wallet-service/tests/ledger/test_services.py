"""The ledger's service functions: exact balances after each success, nothing changed by a refusal."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from wallet_service.ledger import services
from wallet_service.ledger.chart import (
    expiry_void_id,
    onward_transfer_id,
    replacement_void_id,
    user_wallet_account_id,
)
from wallet_service.ledger.errors import (
    AccountFrozen,
    AccountNotFound,
    ExceedsPendingAmount,
    InsufficientFunds,
    InvalidTransfer,
    PendingTransferAlreadyPosted,
    PendingTransferAlreadyVoided,
    PendingTransferExpired,
    ReasonReserved,
    ReversalExceedsOriginal,
    TransferConflict,
    TransferNotFound,
    TransferNotPending,
    TransferNotReversible,
)
from wallet_service.ledger.models import Transfer
from wallet_service.ledger.policy import RESERVED_REASONS, SWEEP_ONLY_REASONS, reason_check
from wallet_service.ledger.selectors import (
    account_balance,
    pending_transfer_state,
    transfer_history,
    user_balances,
)
from wallet_service.ledger.services import TransferSpec

from .ledger_helpers import (
    BID_HOLDS,
    CUSTODY,
    FEE_REVENUE,
    ORDER_ESCROW,
    SUSPENSE,
    assert_ledger_sound,
    counters,
    deposit,
    ledger_state,
    new_wallet,
)

pytestmark = pytest.mark.django_db


def hold(wallet_id, amount, *, transfer_id=None, timeout_s=None, reason="bid_hold", reference=None):
    return services.transfer_create(
        transfer_id=transfer_id or uuid.uuid4(),
        debit_account_id=wallet_id,
        credit_account_id=BID_HOLDS,
        amount_koinu=amount,
        reason=reason,
        reference=reference if reference is not None else {"auction_id": "a-1"},
        pending=True,
        timeout_s=timeout_s,
    )


def pay(debit, credit, amount, *, transfer_id=None, reason="transfer", reference=None):
    return services.transfer_create(
        transfer_id=transfer_id or uuid.uuid4(),
        debit_account_id=debit,
        credit_account_id=credit,
        amount_koinu=amount,
        reason=reason,
        reference=reference,
    )


def stored(transfer_id):
    return Transfer.objects.filter(id=transfer_id).values().get()


def fields(transfer):
    return {
        "id": transfer.id,
        "debit_account_id": transfer.debit_account_id,
        "credit_account_id": transfer.credit_account_id,
        "amount_koinu": transfer.amount_koinu,
        "kind": transfer.kind,
        "pending_id": transfer.pending_id,
        "timeout_at": transfer.timeout_at,
        "reason": transfer.reason,
        "reference": transfer.reference,
        "linked_group": transfer.linked_group,
        "corrects_id": transfer.corrects_id,
        "created_at": transfer.created_at,
    }


def wait_for_database_clock_past(moment):
    deadline = time.monotonic() + 5
    while True:
        with connection.cursor() as cursor:
            cursor.execute("SELECT clock_timestamp()")
            now = cursor.fetchone()[0]
        if now > moment:
            return
        assert time.monotonic() < deadline
        time.sleep(0.05)


# -- single transfers ------------------------------------------------------------------------------------


def test_a_single_transfer_moves_the_amount_and_is_stored_as_returned():
    wallet = new_wallet(1_000)
    transfer_id = uuid.uuid4()

    transfer = pay(wallet.id, FEE_REVENUE, 300, transfer_id=transfer_id, reference={"order_id": "o-1"})

    assert counters(wallet.id) == (300, 1_000, 0, 0)
    assert counters(FEE_REVENUE) == (0, 300, 0, 0)
    assert fields(transfer) == stored(transfer_id)
    assert (transfer.kind, transfer.amount_koinu, transfer.reason, transfer.reference) == (
        "single",
        300,
        "transfer",
        {"order_id": "o-1"},
    )
    assert (transfer.pending_id, transfer.timeout_at, transfer.linked_group, transfer.corrects_id) == (
        None,
        None,
        None,
        None,
    )
    assert_ledger_sound()


def test_a_wallet_can_spend_exactly_its_available_balance_and_not_one_koinu_more():
    wallet = new_wallet(1_000)
    hold(wallet.id, 400)
    before = ledger_state()

    with pytest.raises(InsufficientFunds) as refusal:
        pay(wallet.id, FEE_REVENUE, 601)

    assert (refusal.value.status, refusal.value.type, refusal.value.code) == (
        400,
        "invalid_request",
        "insufficient_funds",
    )
    assert ledger_state() == before
    pay(wallet.id, FEE_REVENUE, 600)
    assert counters(wallet.id) == (600, 1_000, 400, 0)
    assert account_balance(account_id=wallet.id).available == 0
    assert_ledger_sound()


def test_a_transfer_from_or_to_a_missing_account_is_refused():
    wallet = new_wallet(1_000)
    before = ledger_state()

    with pytest.raises(AccountNotFound) as refusal:
        pay(uuid.uuid4(), wallet.id, 1)
    assert refusal.value.param == "debit_account_id"
    with pytest.raises(AccountNotFound) as refusal:
        pay(wallet.id, uuid.uuid4(), 1)
    assert refusal.value.param == "credit_account_id"

    assert ledger_state() == before


@pytest.mark.parametrize(
    ("changes", "code", "param"),
    [
        ({"amount_koinu": 0}, "invalid_amount", "amount_koinu"),
        ({"amount_koinu": -1}, "invalid_amount", "amount_koinu"),
        ({"amount_koinu": 1.0}, "invalid_amount", "amount_koinu"),
        ({"amount_koinu": True}, "invalid_amount", "amount_koinu"),
        ({"amount_koinu": 2**63}, "invalid_amount", "amount_koinu"),
        ({"reason": "Deposit!"}, "invalid_reason", "reason"),
        ({"reason": "x" * 33}, "invalid_reason", "reason"),
        ({"reference": {"fee": 0.5}}, "invalid_transfer", "reference"),
        ({"reference": {"blob": "x" * 3000}}, "invalid_transfer", "reference"),
        ({"reference": ["not", "an", "object"]}, "invalid_transfer", "reference"),
        ({"timeout_s": 60}, "invalid_transfer", "timeout_s"),
        ({"transfer_id": "not-a-uuid"}, "invalid_transfer", "transfer_id"),
        ({"same_account": True}, "accounts_must_differ", "credit_account_id"),
    ],
)
def test_malformed_transfers_are_refused_before_touching_the_database(changes, code, param):
    wallet = new_wallet(1_000)
    arguments = {
        "transfer_id": uuid.uuid4(),
        "debit_account_id": wallet.id,
        "credit_account_id": FEE_REVENUE,
        "amount_koinu": 10,
        "reason": "transfer",
        "reference": {},
    }
    if changes.pop("same_account", False):
        arguments["credit_account_id"] = wallet.id
    arguments.update(changes)
    before = ledger_state()

    with pytest.raises(InvalidTransfer) as refusal:
        services.transfer_create(**arguments)

    assert (refusal.value.status, refusal.value.code, refusal.value.param) == (400, code, param)
    assert ledger_state() == before


@pytest.mark.parametrize(
    ("reason", "reserved", "error", "status", "code"),
    [
        ("Deposit!", frozenset(), InvalidTransfer, 400, "invalid_reason"),
        ("x" * 33, frozenset(), InvalidTransfer, 400, "invalid_reason"),
        (7, frozenset(), InvalidTransfer, 400, "invalid_reason"),
        ("expired", SWEEP_ONLY_REASONS, ReasonReserved, 403, "reason_reserved"),
        ("deposit", RESERVED_REASONS, ReasonReserved, 403, "reason_reserved"),
        ("deposit_shortfall", RESERVED_REASONS, ReasonReserved, 403, "reason_reserved"),
    ],
)
def test_the_one_reason_check_has_one_code_per_refusal(reason, reserved, error, status, code):
    with pytest.raises(error) as refusal:
        reason_check(reason, reserved=reserved)

    assert (refusal.value.status, refusal.value.code, refusal.value.param) == (status, code, "reason")


def test_the_ledger_itself_refuses_the_sweep_reason_and_writes_nothing():
    wallet = new_wallet(1_000)
    before = ledger_state()

    with pytest.raises(ReasonReserved) as refusal:
        services.transfer_create(
            transfer_id=uuid.uuid4(),
            debit_account_id=wallet.id,
            credit_account_id=FEE_REVENUE,
            amount_koinu=10,
            reason="expired",
        )

    assert (refusal.value.status, refusal.value.code, refusal.value.param) == (
        403,
        "reason_reserved",
        "reason",
    )
    assert ledger_state() == before
    # The wallet's own code may write its other reserved reasons (a deposit, a withdrawal ...).
    assert reason_check("deposit", reserved=SWEEP_ONLY_REASONS) == "deposit"


# -- idempotency -----------------------------------------------------------------------------------------


def test_the_same_transfer_id_with_the_same_contents_returns_the_first_transfer_and_changes_nothing():
    wallet = new_wallet(1_000)
    transfer_id = uuid.uuid4()
    first = pay(wallet.id, FEE_REVENUE, 300, transfer_id=transfer_id, reference={"order_id": "o-1", "n": 1})
    after_first = ledger_state()

    replays = [
        pay(wallet.id, FEE_REVENUE, 300, transfer_id=transfer_id, reference={"n": 1, "order_id": "o-1"})
        for _ in range(3)
    ]

    assert [fields(replay) for replay in replays] == [fields(first)] * 3
    assert ledger_state() == after_first


def test_a_replay_is_answered_even_when_the_funds_are_gone_since():
    wallet = new_wallet(1_000)
    transfer_id = uuid.uuid4()
    first = pay(wallet.id, FEE_REVENUE, 1_000, transfer_id=transfer_id)

    assert fields(pay(wallet.id, FEE_REVENUE, 1_000, transfer_id=transfer_id)) == fields(first)
    assert counters(wallet.id) == (1_000, 1_000, 0, 0)


@pytest.mark.parametrize(
    "changes",
    [
        {"amount_koinu": 301},
        {"credit_account_id": ORDER_ESCROW},
        {"reason": "fee"},
        {"reference": {"order_id": "o-2"}},
        {"pending": True},
    ],
)
def test_the_same_transfer_id_with_other_contents_is_a_conflict(changes):
    wallet = new_wallet(1_000)
    transfer_id = uuid.uuid4()
    arguments = {
        "transfer_id": transfer_id,
        "debit_account_id": wallet.id,
        "credit_account_id": FEE_REVENUE,
        "amount_koinu": 300,
        "reason": "transfer",
        "reference": {"order_id": "o-1"},
    }
    services.transfer_create(**arguments)
    before = ledger_state()

    with pytest.raises(TransferConflict) as refusal:
        services.transfer_create(**{**arguments, **changes})

    assert (refusal.value.status, refusal.value.type, refusal.value.code) == (
        409,
        "conflict",
        "transfer_id_conflict",
    )
    assert ledger_state() == before


def test_a_pending_transfer_replays_only_with_the_same_timeout():
    wallet = new_wallet(1_000)
    transfer_id = uuid.uuid4()
    first = hold(wallet.id, 600, transfer_id=transfer_id, timeout_s=120)

    assert first.timeout_at - first.created_at == timedelta(seconds=120)
    assert fields(hold(wallet.id, 600, transfer_id=transfer_id, timeout_s=120)) == fields(first)
    with pytest.raises(TransferConflict):
        hold(wallet.id, 600, transfer_id=transfer_id, timeout_s=121)
    with pytest.raises(TransferConflict):
        hold(wallet.id, 600, transfer_id=transfer_id)
    assert counters(wallet.id) == (0, 1_000, 600, 0)


# -- two-phase transfers ---------------------------------------------------------------------------------


def test_a_pending_transfer_reserves_the_amount_and_shows_as_a_hold():
    wallet = new_wallet(1_000)

    pending = hold(wallet.id, 600, reference={"auction_id": "a-9"}, timeout_s=3600)

    assert counters(wallet.id) == (0, 1_000, 600, 0)
    assert counters(BID_HOLDS) == (0, 0, 0, 600)
    balance = account_balance(account_id=wallet.id)
    assert (balance.available, balance.held, balance.posted) == (400, 600, 1_000)
    balances = user_balances(user_id=wallet.user_id)
    assert (balances.available_koinu, balances.held_koinu, balances.incoming_koinu, balances.is_frozen) == (
        400,
        600,
        0,
        False,
    )
    assert [
        (h.transfer_id, h.amount_koinu, h.reason, h.reference, h.holding_account) for h in balances.holds
    ] == [(pending.id, 600, "bid_hold", {"auction_id": "a-9"}, "bid_holds")]
    assert balances.holds[0].expires_at == pending.timeout_at
    assert balances.held_by_reason == {"bid_hold": 600}
    assert_ledger_sound()


def test_posting_in_full_moves_the_whole_amount():
    wallet = new_wallet(1_000)
    pending = hold(wallet.id, 600)
    post_id = uuid.uuid4()

    post = services.transfer_post_pending(transfer_id=post_id, pending_id=pending.id)

    assert counters(wallet.id) == (600, 1_000, 0, 0)
    assert counters(BID_HOLDS) == (0, 600, 0, 0)
    assert fields(post) == stored(post_id)
    assert (post.kind, post.amount_koinu, post.pending_id, post.debit_account_id, post.credit_account_id) == (
        "post_pending",
        600,
        pending.id,
        wallet.id,
        BID_HOLDS,
    )
    assert (post.reason, post.reference) == ("bid_hold", {"auction_id": "a-1"})
    state = pending_transfer_state(transfer_id=pending.id, now=timezone.now())
    assert (state.state, state.posted_koinu, state.released_koinu, state.resolution.id) == (
        "posted",
        600,
        0,
        post_id,
    )
    assert_ledger_sound()


def test_posting_part_releases_the_rest():
    wallet = new_wallet(1_000)
    pending = hold(wallet.id, 600)

    post = services.transfer_post_pending(transfer_id=uuid.uuid4(), pending_id=pending.id, amount_koinu=250)

    assert post.amount_koinu == 250
    assert counters(wallet.id) == (250, 1_000, 0, 0)
    assert counters(BID_HOLDS) == (0, 250, 0, 0)
    assert account_balance(account_id=wallet.id).available == 750
    state = pending_transfer_state(transfer_id=pending.id, now=timezone.now())
    assert (state.state, state.posted_koinu, state.released_koinu) == ("posted", 250, 350)
    assert_ledger_sound()


def test_voiding_releases_everything():
    wallet = new_wallet(1_000)
    pending = hold(wallet.id, 600)
    void_id = uuid.uuid4()

    void = services.transfer_void_pending(transfer_id=void_id, pending_id=pending.id)

    assert counters(wallet.id) == (0, 1_000, 0, 0)
    assert counters(BID_HOLDS) == (0, 0, 0, 0)
    assert fields(void) == stored(void_id)
    assert (void.kind, void.amount_koinu, void.pending_id) == ("void_pending", 600, pending.id)
    state = pending_transfer_state(transfer_id=pending.id, now=timezone.now())
    assert (state.state, state.posted_koinu, state.released_koinu) == ("voided", 0, 600)
    assert user_balances(user_id=wallet.user_id).holds == []
    assert_ledger_sound()


@pytest.mark.parametrize(
    ("first", "second", "error"),
    [
        ("post", "post", PendingTransferAlreadyPosted),
        ("post", "void", PendingTransferAlreadyPosted),
        ("void", "void", PendingTransferAlreadyVoided),
        ("void", "post", PendingTransferAlreadyVoided),
    ],
)
def test_a_pending_transfer_is_resolved_only_once(first, second, error):
    wallet = new_wallet(1_000)
    pending = hold(wallet.id, 600)
    resolve = {"post": services.transfer_post_pending, "void": services.transfer_void_pending}
    resolve[first](transfer_id=uuid.uuid4(), pending_id=pending.id)
    before = ledger_state()

    with pytest.raises(error) as refusal:
        resolve[second](transfer_id=uuid.uuid4(), pending_id=pending.id)

    assert (refusal.value.status, refusal.value.param) == (409, "pending_id")
    assert ledger_state() == before


def test_posting_more_than_is_pending_is_refused():
    wallet = new_wallet(1_000)
    pending = hold(wallet.id, 600)
    before = ledger_state()

    with pytest.raises(ExceedsPendingAmount):
        services.transfer_post_pending(transfer_id=uuid.uuid4(), pending_id=pending.id, amount_koinu=601)

    assert ledger_state() == before


def test_only_pending_transfers_can_be_posted_or_voided():
    wallet = new_wallet(1_000)
    single = Transfer.objects.get(credit_account_id=wallet.id)
    before = ledger_state()

    with pytest.raises(TransferNotPending):
        services.transfer_post_pending(transfer_id=uuid.uuid4(), pending_id=single.id)
    with pytest.raises(TransferNotFound):
        services.transfer_void_pending(transfer_id=uuid.uuid4(), pending_id=uuid.uuid4())
    with pytest.raises(InvalidTransfer):
        services.transfer_post_pending(transfer_id=single.id, pending_id=single.id)

    assert ledger_state() == before


def test_posts_and_voids_are_idempotent_and_conflict_on_other_contents():
    wallet = new_wallet(1_000)
    pending = hold(wallet.id, 600)
    post_id = uuid.uuid4()
    post = services.transfer_post_pending(transfer_id=post_id, pending_id=pending.id)
    after = ledger_state()

    assert fields(services.transfer_post_pending(transfer_id=post_id, pending_id=pending.id)) == fields(post)
    assert fields(
        services.transfer_post_pending(transfer_id=post_id, pending_id=pending.id, amount_koinu=600)
    ) == fields(post)
    with pytest.raises(TransferConflict):
        services.transfer_post_pending(transfer_id=post_id, pending_id=pending.id, amount_koinu=500)
    with pytest.raises(TransferConflict):
        services.transfer_void_pending(transfer_id=post_id, pending_id=pending.id)
    assert ledger_state() == after

    other = hold(wallet.id, 100)
    void_id = uuid.uuid4()
    void = services.transfer_void_pending(transfer_id=void_id, pending_id=other.id)
    assert fields(services.transfer_void_pending(transfer_id=void_id, pending_id=other.id)) == fields(void)
    with pytest.raises(TransferConflict):
        services.transfer_void_pending(transfer_id=void_id, pending_id=pending.id)


def test_posting_with_another_credit_account_moves_the_amount_on_in_a_linked_transfer():
    wallet = new_wallet(1_000)
    pending = hold(wallet.id, 600)
    post_id = uuid.uuid4()

    post = services.transfer_post_pending(
        transfer_id=post_id, pending_id=pending.id, amount_koinu=450, credit_account_id=ORDER_ESCROW
    )

    onward = Transfer.objects.get(id=onward_transfer_id(post_id))
    assert (post.kind, post.amount_koinu, post.credit_account_id, post.linked_group) == (
        "post_pending",
        450,
        BID_HOLDS,
        post_id,
    )
    assert (onward.kind, onward.debit_account_id, onward.credit_account_id, onward.amount_koinu) == (
        "single",
        BID_HOLDS,
        ORDER_ESCROW,
        450,
    )
    assert (onward.linked_group, onward.reason, onward.reference) == (
        post_id,
        "bid_hold",
        {"auction_id": "a-1"},
    )
    assert counters(wallet.id) == (450, 1_000, 0, 0)
    assert counters(BID_HOLDS) == (450, 450, 0, 0)
    assert counters(ORDER_ESCROW) == (0, 450, 0, 0)
    state = pending_transfer_state(transfer_id=pending.id, now=timezone.now())
    assert (state.state, state.onward.id) == ("posted", onward.id)
    after = ledger_state()

    # Replays: the same redirect returns the post; without it, the request differs from the first.
    assert fields(
        services.transfer_post_pending(
            transfer_id=post_id, pending_id=pending.id, amount_koinu=450, credit_account_id=ORDER_ESCROW
        )
    ) == fields(post)
    with pytest.raises(TransferConflict):
        services.transfer_post_pending(transfer_id=post_id, pending_id=pending.id, amount_koinu=450)
    assert ledger_state() == after
    assert_ledger_sound()


def test_a_redirected_post_that_is_refused_leaves_nothing():
    wallet = new_wallet(1_000)
    pending = hold(wallet.id, 600)
    before = ledger_state()

    with pytest.raises(ExceedsPendingAmount) as refusal:
        services.transfer_post_pending(
            transfer_id=uuid.uuid4(), pending_id=pending.id, amount_koinu=700, credit_account_id=ORDER_ESCROW
        )

    assert refusal.value.param == "amount_koinu"
    assert ledger_state() == before


def test_a_frozen_wallet_can_receive_and_settle_its_holds_but_not_spend():
    wallet = new_wallet(1_000)
    open_hold = hold(wallet.id, 300)
    other_hold = hold(wallet.id, 200)

    frozen = services.account_freeze(account_id=wallet.id, reason="deposit reorged out")
    before = ledger_state()

    assert (frozen.is_frozen, frozen.frozen_reason) == (True, "deposit reorged out")
    with pytest.raises(AccountFrozen) as refusal:
        pay(wallet.id, FEE_REVENUE, 1)
    assert (refusal.value.status, refusal.value.type, refusal.value.code) == (
        403,
        "permission_error",
        "account_frozen",
    )
    with pytest.raises(AccountFrozen):
        hold(wallet.id, 1)
    assert ledger_state() == before

    deposit(wallet.id, 50)
    services.transfer_post_pending(transfer_id=uuid.uuid4(), pending_id=open_hold.id)
    services.transfer_void_pending(transfer_id=uuid.uuid4(), pending_id=other_hold.id)
    assert counters(wallet.id) == (300, 1_050, 0, 0)
    assert user_balances(user_id=wallet.user_id).is_frozen is True

    services.account_unfreeze(account_id=wallet.id)
    pay(wallet.id, FEE_REVENUE, 750)
    assert counters(wallet.id) == (1_050, 1_050, 0, 0)
    assert_ledger_sound()


# -- expiry ----------------------------------------------------------------------------------------------


def test_an_expired_hold_can_no_longer_be_posted_or_voided_and_the_sweep_voids_it_once():
    wallet = new_wallet(1_000)
    pending = hold(wallet.id, 600, timeout_s=1)
    fresh = hold(wallet.id, 100, timeout_s=3600)
    wait_for_database_clock_past(pending.timeout_at)
    before = ledger_state()

    with pytest.raises(PendingTransferExpired) as refusal:
        services.transfer_post_pending(transfer_id=uuid.uuid4(), pending_id=pending.id)
    assert (refusal.value.status, refusal.value.code) == (409, "pending_transfer_expired")
    with pytest.raises(PendingTransferExpired):
        services.transfer_void_pending(transfer_id=uuid.uuid4(), pending_id=pending.id)
    assert ledger_state() == before
    assert pending_transfer_state(transfer_id=pending.id, now=timezone.now()).state == "expired"

    assert services.transfers_void_expired() == 1
    assert services.transfers_void_expired() == 0

    void = Transfer.objects.get(pending_id=pending.id)
    assert (void.id, void.kind, void.reason, void.amount_koinu, void.reference) == (
        expiry_void_id(pending.id),
        "void_pending",
        "expired",
        600,
        {"auction_id": "a-1"},
    )
    assert counters(wallet.id) == (0, 1_000, 100, 0)
    assert not Transfer.objects.filter(pending_id=fresh.id).exists()
    with pytest.raises(PendingTransferExpired):
        services.transfer_post_pending(transfer_id=uuid.uuid4(), pending_id=pending.id)
    assert_ledger_sound()


def test_the_sweep_takes_batches_and_only_what_is_due_at_the_given_time():
    wallet = new_wallet(10_000)
    holds = [hold(wallet.id, 100, timeout_s=60 + index) for index in range(5)]
    services.transfer_post_pending(transfer_id=uuid.uuid4(), pending_id=holds[0].id)
    later = holds[0].created_at + timedelta(seconds=62, milliseconds=500)  # holds 1 and 2 are due

    assert services.transfers_void_expired(now=later, batch_size=2) == 2
    assert services.transfers_void_expired(now=later, batch_size=2) == 0
    assert services.transfers_void_expired(now=later + timedelta(seconds=10), batch_size=2) == 2
    assert services.transfers_void_expired(now=later + timedelta(seconds=10), batch_size=2) == 0

    assert counters(wallet.id) == (100, 10_000, 0, 0)
    with pytest.raises(ValueError, match="timezone-aware"):
        services.transfers_void_expired(now=later.replace(tzinfo=None))
    assert_ledger_sound()


# -- linked groups ---------------------------------------------------------------------------------------


def test_a_linked_group_applies_in_order_on_the_balances_earlier_members_left():
    a, b, c = new_wallet(500), new_wallet(200), new_wallet()
    ids = [uuid.uuid4(), uuid.uuid4(), uuid.uuid4()]

    transfers = services.transfers_create_linked(
        transfers=[
            TransferSpec.single(
                transfer_id=ids[0],
                debit_account_id=a.id,
                credit_account_id=b.id,
                amount_koinu=500,
                reason="t",
            ),
            TransferSpec.single(
                transfer_id=ids[1],
                debit_account_id=b.id,
                credit_account_id=c.id,
                amount_koinu=700,
                reason="t",
            ),
            TransferSpec.pending_transfer(
                transfer_id=ids[2],
                debit_account_id=c.id,
                credit_account_id=BID_HOLDS,
                amount_koinu=700,
                reason="t",
            ),
        ]
    )

    assert [t.id for t in transfers] == ids
    assert {t.linked_group for t in transfers} == {ids[0]}
    assert [fields(t) for t in transfers] == [stored(i) for i in ids]
    assert counters(a.id)[:2] == (500, 500)
    assert counters(b.id)[:2] == (700, 700)
    assert counters(c.id) == (0, 700, 700, 0)
    assert_ledger_sound()


def test_a_linked_group_with_one_refusal_applies_none():
    a, b = new_wallet(500), new_wallet(0)
    before = ledger_state()
    ids = [uuid.uuid4(), uuid.uuid4()]

    with pytest.raises(InsufficientFunds) as refusal:
        services.transfers_create_linked(
            transfers=[
                TransferSpec.single(
                    transfer_id=ids[0],
                    debit_account_id=a.id,
                    credit_account_id=b.id,
                    amount_koinu=300,
                    reason="t",
                ),
                TransferSpec.single(
                    transfer_id=ids[1],
                    debit_account_id=b.id,
                    credit_account_id=a.id,
                    amount_koinu=301,
                    reason="t",
                ),
            ]
        )

    assert refusal.value.param == "transfers.1.amount_koinu"
    assert ledger_state() == before
    assert not Transfer.objects.filter(id__in=ids).exists()


def test_a_linked_group_can_create_and_resolve_holds_and_replays_as_a_whole():
    wallet = new_wallet(1_000)
    old_hold = hold(wallet.id, 400)
    ids = [uuid.uuid4() for _ in range(3)]
    group = [
        # Raising a bid: the old hold voided, a new one for the new maximum, both or neither; then
        # (say the auction closes at once) the new hold posted for the final price.
        TransferSpec.void(transfer_id=ids[0], pending_id=old_hold.id),
        TransferSpec.pending_transfer(
            transfer_id=ids[1],
            debit_account_id=wallet.id,
            credit_account_id=BID_HOLDS,
            amount_koinu=900,
            reason="bid_hold",
        ),
        TransferSpec.post(transfer_id=ids[2], pending_id=ids[1], amount_koinu=850),
    ]
    # The new hold only fits once the old one is released: order within the group matters.
    with pytest.raises(InsufficientFunds):
        services.transfers_create_linked(transfers=[group[1], group[0]])

    first = services.transfers_create_linked(transfers=group)
    after = ledger_state()
    replay = services.transfers_create_linked(transfers=group)

    assert [fields(t) for t in replay] == [fields(t) for t in first]
    assert ledger_state() == after
    assert counters(wallet.id) == (850, 1_000, 0, 0)
    with pytest.raises(TransferConflict):
        services.transfers_create_linked(transfers=[group[0], group[1]])
    with pytest.raises(TransferConflict):
        services.transfers_create_linked(
            transfers=[
                group[0],
                group[1],
                TransferSpec.single(
                    transfer_id=uuid.uuid4(),
                    debit_account_id=wallet.id,
                    credit_account_id=FEE_REVENUE,
                    amount_koinu=1,
                    reason="t",
                ),
            ]
        )
    assert ledger_state() == after
    assert_ledger_sound()


def test_a_linked_group_refuses_duplicate_ids_and_empty_groups():
    transfer_id = uuid.uuid4()
    spec = TransferSpec.single(
        transfer_id=transfer_id,
        debit_account_id=CUSTODY,
        credit_account_id=FEE_REVENUE,
        amount_koinu=1,
        reason="t",
    )

    with pytest.raises(InvalidTransfer):
        services.transfers_create_linked(transfers=[spec, spec])
    with pytest.raises(InvalidTransfer):
        services.transfers_create_linked(transfers=[])
    with pytest.raises(InvalidTransfer):
        services.transfers_create_linked(transfers=[TransferSpec(transfer_id=transfer_id, kind="refund")])


# -- corrections -----------------------------------------------------------------------------------------


def test_a_reversal_undoes_a_transfer_and_points_at_it():
    wallet = new_wallet()
    credit = deposit(wallet.id, 1_000)
    reversal_id = uuid.uuid4()

    reversal = services.transfer_reverse(transfer_id=reversal_id, corrects_id=credit.id)

    assert (reversal.debit_account_id, reversal.credit_account_id, reversal.amount_koinu) == (
        wallet.id,
        CUSTODY,
        1_000,
    )
    assert (reversal.corrects_id, reversal.reason, reversal.reference) == (
        credit.id,
        "correction",
        credit.reference,
    )
    assert fields(reversal) == stored(reversal_id)
    assert counters(wallet.id) == (1_000, 1_000, 0, 0)
    assert fields(services.transfer_reverse(transfer_id=reversal_id, corrects_id=credit.id)) == fields(
        reversal
    )
    before = ledger_state()
    with pytest.raises(ReversalExceedsOriginal):
        services.transfer_reverse(transfer_id=uuid.uuid4(), corrects_id=credit.id, amount_koinu=1)
    assert ledger_state() == before
    assert_ledger_sound()


def test_a_reorged_deposit_already_spent_is_recovered_in_part_and_the_rest_booked_to_suspense():
    wallet = new_wallet()
    credit = deposit(wallet.id, 1_000)
    pay(wallet.id, FEE_REVENUE, 700)
    services.account_freeze(account_id=wallet.id, reason="reorg")

    with pytest.raises(InsufficientFunds):
        services.transfer_reverse(transfer_id=uuid.uuid4(), corrects_id=credit.id)
    recovered = services.transfer_reverse(transfer_id=uuid.uuid4(), corrects_id=credit.id, amount_koinu=300)
    shortfall = services.transfer_reverse(
        transfer_id=uuid.uuid4(), corrects_id=credit.id, amount_koinu=700, debit_account_id=SUSPENSE
    )

    assert (recovered.debit_account_id, shortfall.debit_account_id) == (wallet.id, SUSPENSE)
    assert account_balance(account_id=wallet.id).available == 0
    assert account_balance(account_id=SUSPENSE).posted == -700
    assert account_balance(account_id=CUSTODY).posted == 0
    with pytest.raises(ReversalExceedsOriginal):
        services.transfer_reverse(
            transfer_id=uuid.uuid4(), corrects_id=credit.id, amount_koinu=1, debit_account_id=SUSPENSE
        )
    assert_ledger_sound()


def test_pending_transfers_are_voided_not_reversed():
    wallet = new_wallet(1_000)
    pending = hold(wallet.id, 10)

    with pytest.raises(TransferNotReversible):
        services.transfer_reverse(transfer_id=uuid.uuid4(), corrects_id=pending.id)
    with pytest.raises(TransferNotFound):
        services.transfer_reverse(transfer_id=uuid.uuid4(), corrects_id=uuid.uuid4())


# -- accounts --------------------------------------------------------------------------------------------


def test_platform_accounts_by_code_and_unknown_codes():
    assert services.account_platform("order_escrow").id == ORDER_ESCROW
    with pytest.raises(AccountNotFound):
        services.account_platform("petty_cash")
    with pytest.raises(AccountNotFound):
        services.account_freeze(account_id=uuid.uuid4(), reason="x")
    with pytest.raises(InvalidTransfer):
        services.account_freeze(account_id=CUSTODY, reason=" ")


def test_a_user_without_a_wallet_has_zero_balances():
    user_id = uuid.uuid4()

    balances = user_balances(user_id=user_id)

    assert (balances.available_koinu, balances.held_koinu, balances.incoming_koinu, balances.holds) == (
        0,
        0,
        0,
        [],
    )
    assert user_wallet_account_id(user_id) == services.account_user_wallet_get_or_create(user_id=user_id).id


# -- history ---------------------------------------------------------------------------------------------


def test_a_users_history_pages_newest_first_with_cursors_and_a_reason_filter():
    wallet = new_wallet()
    other = new_wallet(100)
    made = [deposit(wallet.id, 10 + index) for index in range(5)]
    made.append(hold(wallet.id, 3))
    made.append(pay(wallet.id, other.id, 1))
    newest_first = [t.id for t in sorted(made, key=lambda t: (t.created_at, t.id), reverse=True)]

    first = transfer_history(user_id=wallet.user_id, now=timezone.now(), limit=3)
    second = transfer_history(
        user_id=wallet.user_id, now=timezone.now(), limit=3, starting_after=str(first.data[-1].id)
    )
    third = transfer_history(
        user_id=wallet.user_id, now=timezone.now(), limit=3, starting_after=str(second.data[-1].id)
    )
    back = transfer_history(
        user_id=wallet.user_id, now=timezone.now(), limit=3, ending_before=str(second.data[0].id)
    )

    assert [t.id for t in first.data + second.data + third.data] == newest_first
    assert (first.has_more, second.has_more, third.has_more) == (True, True, False)
    assert [t.id for t in back.data] == [t.id for t in first.data]
    assert back.has_more is False
    deposits = transfer_history(user_id=wallet.user_id, now=timezone.now(), limit=10, reason="deposit")
    assert sorted(t.id for t in deposits.data) == sorted(t.id for t in made[:5])
    with pytest.raises(Exception, match="starting_after must be the id of a transfer in this list"):
        transfer_history(
            user_id=wallet.user_id,
            now=timezone.now(),
            limit=3,
            starting_after=str(Transfer.objects.get(debit_account_id=CUSTODY, credit_account_id=other.id).id),
        )


# -- audit -----------------------------------------------------------------------------------------------


def test_the_audit_command_passes_a_sound_ledger_and_fails_on_tampered_balances(capsys):
    wallet = new_wallet(1_000)
    hold(wallet.id, 100)

    call_command("ledger_audit")
    assert '"status": "ok"' in capsys.readouterr().out

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE ledger_account SET credits_posted = credits_posted + 5 WHERE id = %s", [wallet.id]
        )
    with pytest.raises(CommandError) as failure:
        call_command("ledger_audit")

    assert failure.value.returncode == 1
    report = capsys.readouterr().out
    assert '"status": "mismatch"' in report
    assert '"check": "ledger_sum"' in report
    assert f"account {wallet.id} (user_wallet of user {wallet.user_id}): stored (0, 1005, 100, 0)" in report


# -- replacing a hold (a raised bid) ---------------------------------------------------------------------


def replace(wallet_id, replaces_id, amount, *, transfer_id=None):
    return services.transfer_pending_replace(
        transfer_id=transfer_id or uuid.uuid4(),
        replaces_id=replaces_id,
        debit_account_id=wallet_id,
        credit_account_id=BID_HOLDS,
        amount_koinu=amount,
        reason="bid_hold",
        reference={"auction_id": "a-1"},
    )


def test_replacing_a_hold_releases_the_old_one_first_so_the_new_one_may_use_its_amount():
    wallet = new_wallet(1_000)
    old = hold(wallet.id, 500)
    new_id = uuid.uuid4()

    new = replace(wallet.id, old.id, 900, transfer_id=new_id)

    assert (new.id, new.kind, new.amount_koinu) == (new_id, "pending", 900)
    void = Transfer.objects.get(pending_id=old.id)
    assert (void.id, void.kind, void.linked_group, new.linked_group) == (
        replacement_void_id(new_id),
        "void_pending",
        void.id,
        void.id,
    )
    assert counters(wallet.id) == (0, 1_000, 900, 0)
    after = ledger_state()
    assert fields(replace(wallet.id, old.id, 900, transfer_id=new_id)) == fields(new)
    with pytest.raises(TransferConflict):
        hold(wallet.id, 900, transfer_id=new_id)
    assert ledger_state() == after
    assert_ledger_sound()


def test_a_replacement_that_is_refused_leaves_the_old_hold_standing():
    wallet, other = new_wallet(1_000), new_wallet(1_000)
    old = hold(wallet.id, 500)
    others_hold = hold(other.id, 100)
    gone = hold(wallet.id, 10)
    services.transfer_void_pending(transfer_id=uuid.uuid4(), pending_id=gone.id)
    before = ledger_state()

    with pytest.raises(InsufficientFunds):
        replace(wallet.id, old.id, 1_001)
    with pytest.raises(InvalidTransfer) as mismatch:
        replace(wallet.id, others_hold.id, 10)
    with pytest.raises(PendingTransferAlreadyVoided) as resolved:
        replace(wallet.id, gone.id, 10)
    with pytest.raises(TransferNotFound):
        replace(wallet.id, uuid.uuid4(), 10)

    assert (mismatch.value.code, mismatch.value.param) == ("replaced_hold_mismatch", "replaces_id")
    assert resolved.value.param == "replaces_id"
    assert ledger_state() == before
    assert pending_transfer_state(transfer_id=old.id, now=timezone.now()).state == "pending"
