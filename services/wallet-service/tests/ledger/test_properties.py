"""Random sequences of every ledger operation against an independent model (hypothesis, stateful).

After every step: the ledger sums to zero (posted and pending), no wallet is below zero, every
account's stored counters equal both the model's and the replay of its transfers, and a refused
operation changed nothing at all (no counter, no transfer row). The model also predicts *whether*
each operation is accepted, so a wrong refusal fails as surely as a wrong acceptance.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from dbay_common.errors import ApiError
from wallet_service.ledger import services
from wallet_service.ledger.chart import PlatformAccount, onward_transfer_id
from wallet_service.ledger.models import Account
from wallet_service.ledger.selectors import account_replay, ledger_pending_sum, ledger_sum
from wallet_service.ledger.services import TransferSpec

from .ledger_helpers import ledger_state

CUSTODY = PlatformAccount.CUSTODY.account_id
BID_HOLDS = PlatformAccount.BID_HOLDS.account_id
ORDER_ESCROW = PlatformAccount.ORDER_ESCROW.account_id
FEE_REVENUE = PlatformAccount.FEE_REVENUE.account_id
SUSPENSE = PlatformAccount.SUSPENSE.account_id
GUARDED_PLATFORM = {BID_HOLDS, ORDER_ESCROW, FEE_REVENUE}

amounts = st.integers(min_value=1, max_value=1_500)
picks = st.integers(min_value=0, max_value=10_000)


@dataclass
class ModelAccount:
    is_guarded: bool
    is_frozen: bool = False
    debits_posted: int = 0
    credits_posted: int = 0
    debits_pending: int = 0
    credits_pending: int = 0

    @property
    def available(self) -> int:
        return self.credits_posted - self.debits_posted - self.debits_pending

    @property
    def counters(self) -> tuple[int, int, int, int]:
        return (self.debits_posted, self.credits_posted, self.debits_pending, self.credits_pending)


@dataclass
class ModelPending:
    debit: uuid.UUID
    credit: uuid.UUID
    amount: int
    has_timeout: bool
    resolution: str | None = None


@dataclass
class ModelTransfer:
    """A posted transfer (single or post) that may be corrected; ``create`` holds its arguments."""

    debit: uuid.UUID
    credit: uuid.UUID
    amount: int
    corrected: int = 0
    create: dict[str, object] = field(default_factory=dict)


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        # Each example runs in a savepoint that is rolled back at the end (transfers cannot be
        # deleted, by design), so examples never see each other's data.
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.accounts: dict[uuid.UUID, ModelAccount] = {
            account.id: ModelAccount(is_guarded=account.debits_must_not_exceed_credits)
            for account in Account.objects.all()
        }
        self.wallets: list[uuid.UUID] = []
        self.pendings: dict[uuid.UUID, ModelPending] = {}
        self.posted: dict[uuid.UUID, ModelTransfer] = {}

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # -- helpers -----------------------------------------------------------------------------------------

    def expect(self, accepted: bool, operation, *args, **kwargs):
        """Run ``operation``; it must succeed iff ``accepted``, and a refusal must change nothing."""
        before = ledger_state()
        try:
            result = operation(*args, **kwargs)
        except ApiError as error:
            assert not accepted, f"refused but the model accepts: {error!r}"
            assert ledger_state() == before
            return None
        assert accepted, f"accepted but the model refuses: {operation.__name__}{kwargs}"
        return result

    def move_posted(self, debit: uuid.UUID, credit: uuid.UUID, amount: int) -> None:
        self.accounts[debit].debits_posted += amount
        self.accounts[credit].credits_posted += amount

    def can_debit(self, account_id: uuid.UUID, amount: int, *, allow_frozen: bool = False) -> bool:
        account = self.accounts[account_id]
        if account.is_frozen and not allow_frozen:
            return False
        return not account.is_guarded or account.available >= amount

    def pick(self, items: list, index: int):
        return items[index % len(items)]

    def open_pendings(self) -> list[uuid.UUID]:
        return [pending_id for pending_id, pending in self.pendings.items() if pending.resolution is None]

    # -- rules -------------------------------------------------------------------------------------------

    @initialize(count=st.integers(min_value=2, max_value=4))
    def create_wallets(self, count: int) -> None:
        for _ in range(count):
            wallet = services.account_user_wallet_get_or_create(user_id=uuid.uuid4())
            self.accounts[wallet.id] = ModelAccount(is_guarded=True)
            self.wallets.append(wallet.id)

    @rule(wallet=picks, amount=amounts)
    def deposit(self, wallet: int, amount: int) -> None:
        target = self.pick(self.wallets, wallet)
        arguments = {
            "transfer_id": uuid.uuid4(),
            "debit_account_id": CUSTODY,
            "credit_account_id": target,
            "amount_koinu": amount,
            "reason": "deposit",
            "reference": {"txid": uuid.uuid4().hex, "vout": 0},
        }
        transfer = self.expect(True, services.transfer_create, **arguments)
        self.move_posted(CUSTODY, target, amount)
        self.posted[transfer.id] = ModelTransfer(CUSTODY, target, amount, create=arguments)

    @rule(wallet=picks, amount=amounts, to_escrow=st.booleans(), has_timeout=st.booleans())
    def hold(self, wallet: int, amount: int, to_escrow: bool, has_timeout: bool) -> None:
        debit = self.pick(self.wallets, wallet)
        credit = ORDER_ESCROW if to_escrow else BID_HOLDS
        accepted = self.can_debit(debit, amount)
        transfer = self.expect(
            accepted,
            services.transfer_create,
            transfer_id=uuid.uuid4(),
            debit_account_id=debit,
            credit_account_id=credit,
            amount_koinu=amount,
            reason="bid_hold",
            pending=True,
            timeout_s=3600 if has_timeout else None,
        )
        if accepted:
            self.accounts[debit].debits_pending += amount
            self.accounts[credit].credits_pending += amount
            self.pendings[transfer.id] = ModelPending(debit, credit, amount, has_timeout)

    @precondition(lambda self: self.pendings)
    @rule(which=picks, part=st.integers(min_value=0, max_value=110), onward=st.booleans())
    def post(self, which: int, part: int, onward: bool) -> None:
        pending_id = self.pick(list(self.pendings), which)
        pending = self.pendings[pending_id]
        # part 0: post everything (no amount); 101..110: more than is pending (refused).
        amount = None if part == 0 else max(1, pending.amount * part // 100)
        destination = FEE_REVENUE if onward else None
        accepted = pending.resolution is None and (amount is None or amount <= pending.amount)
        post_id = uuid.uuid4()
        self.expect(
            accepted,
            services.transfer_post_pending,
            transfer_id=post_id,
            pending_id=pending_id,
            amount_koinu=amount,
            credit_account_id=destination,
        )
        if accepted:
            posted = pending.amount if amount is None else amount
            self.accounts[pending.debit].debits_pending -= pending.amount
            self.accounts[pending.credit].credits_pending -= pending.amount
            self.move_posted(pending.debit, pending.credit, posted)
            self.posted[post_id] = ModelTransfer(pending.debit, pending.credit, posted)
            if destination is not None:
                self.move_posted(pending.credit, destination, posted)
                self.posted[onward_transfer_id(post_id)] = ModelTransfer(pending.credit, destination, posted)
            pending.resolution = "posted"

    @precondition(lambda self: self.pendings)
    @rule(which=picks)
    def void(self, which: int) -> None:
        pending_id = self.pick(list(self.pendings), which)
        pending = self.pendings[pending_id]
        accepted = pending.resolution is None
        self.expect(accepted, services.transfer_void_pending, transfer_id=uuid.uuid4(), pending_id=pending_id)
        if accepted:
            self.accounts[pending.debit].debits_pending -= pending.amount
            self.accounts[pending.credit].credits_pending -= pending.amount
            pending.resolution = "voided"

    @precondition(lambda self: self.pendings)
    @rule(which=picks, amount=amounts)
    def raise_hold(self, which: int, amount: int) -> None:
        """Replace a hold by a new one of the same account (void first, then hold), both or neither."""
        old_id = self.pick(list(self.pendings), which)
        old = self.pendings[old_id]
        account = self.accounts[old.debit]
        accepted = (
            old.resolution is None
            and not account.is_frozen
            and (not account.is_guarded or account.available + old.amount >= amount)
        )
        new = self.expect(
            accepted,
            services.transfer_pending_replace,
            transfer_id=uuid.uuid4(),
            replaces_id=old_id,
            debit_account_id=old.debit,
            credit_account_id=old.credit,
            amount_koinu=amount,
            reason="bid_hold",
        )
        if accepted:
            account.debits_pending += amount - old.amount
            self.accounts[old.credit].credits_pending += amount - old.amount
            old.resolution = "voided"
            self.pendings[new.id] = ModelPending(old.debit, old.credit, amount, has_timeout=False)

    @rule(source=picks, destination=picks, amount=amounts, to_fees=st.booleans())
    def transfer(self, source: int, destination: int, amount: int, to_fees: bool) -> None:
        debit = self.pick(self.wallets, source)
        credit = FEE_REVENUE if to_fees else self.pick(self.wallets, destination)
        if debit == credit:
            return
        arguments = {
            "transfer_id": uuid.uuid4(),
            "debit_account_id": debit,
            "credit_account_id": credit,
            "amount_koinu": amount,
            "reason": "transfer",
        }
        accepted = self.can_debit(debit, amount)
        transfer = self.expect(accepted, services.transfer_create, **arguments)
        if accepted:
            self.move_posted(debit, credit, amount)
            self.posted[transfer.id] = ModelTransfer(debit, credit, amount, create=arguments)

    @precondition(lambda self: self.posted)
    @rule(which=picks, part=st.integers(min_value=1, max_value=120), to_suspense=st.booleans())
    def reverse(self, which: int, part: int, to_suspense: bool) -> None:
        corrects_id = self.pick(list(self.posted), which)
        original = self.posted[corrects_id]
        amount = max(1, original.amount * part // 100)
        debit = SUSPENSE if to_suspense else original.credit
        accepted = (
            original.corrected + amount <= original.amount
            and debit != original.debit
            and self.can_debit(debit, amount, allow_frozen=True)
        )
        self.expect(
            accepted,
            services.transfer_reverse,
            transfer_id=uuid.uuid4(),
            corrects_id=corrects_id,
            amount_koinu=amount,
            debit_account_id=debit if to_suspense else None,
        )
        if accepted:
            self.move_posted(debit, original.debit, amount)
            original.corrected += amount

    @precondition(lambda self: any(t.create for t in self.posted.values()))
    @rule(which=picks, change=st.booleans())
    def repeat(self, which: int, change: bool) -> None:
        """Resubmit a transfer id: the same contents are a no-op replay, other contents a conflict."""
        arguments = dict(self.pick([t.create for t in self.posted.values() if t.create], which))
        if change:
            arguments["amount_koinu"] = int(arguments["amount_koinu"]) + 1  # type: ignore[call-overload]
        before = ledger_state()
        if change:
            self.expect(False, services.transfer_create, **arguments)
        else:
            replay = services.transfer_create(**arguments)
            assert replay.id == arguments["transfer_id"]
            assert ledger_state() == before

    @rule(wallet=picks, freeze=st.booleans())
    def freeze_or_unfreeze(self, wallet: int, freeze: bool) -> None:
        account_id = self.pick(self.wallets, wallet)
        if freeze:
            services.account_freeze(account_id=account_id, reason="review")
        else:
            services.account_unfreeze(account_id=account_id)
        self.accounts[account_id].is_frozen = freeze

    @rule(first=picks, second=picks, amount1=amounts, amount2=amounts)
    def linked_pair(self, first: int, second: int, amount1: int, amount2: int) -> None:
        """a → b then b → fee_revenue, all or none: the second may spend what the first brought."""
        a, b = self.pick(self.wallets, first), self.pick(self.wallets, second)
        if a == b:
            return
        ids = [uuid.uuid4(), uuid.uuid4()]
        wallet_b = self.accounts[b]
        accepted = (
            self.can_debit(a, amount1) and not wallet_b.is_frozen and wallet_b.available + amount1 >= amount2
        )
        self.expect(
            accepted,
            services.transfers_create_linked,
            transfers=[
                TransferSpec.single(
                    transfer_id=ids[0],
                    debit_account_id=a,
                    credit_account_id=b,
                    amount_koinu=amount1,
                    reason="t",
                ),
                TransferSpec.single(
                    transfer_id=ids[1],
                    debit_account_id=b,
                    credit_account_id=FEE_REVENUE,
                    amount_koinu=amount2,
                    reason="t",
                ),
            ],
        )
        if accepted:
            self.move_posted(a, b, amount1)
            self.move_posted(b, FEE_REVENUE, amount2)
            self.posted[ids[0]] = ModelTransfer(a, b, amount1)
            self.posted[ids[1]] = ModelTransfer(b, FEE_REVENUE, amount2)

    @rule()
    def sweep(self) -> None:
        voided = services.transfers_void_expired(now=timezone.now() + timedelta(hours=2), batch_size=1_000)
        expected = 0
        for pending in self.pendings.values():
            if pending.resolution is None and pending.has_timeout:
                self.accounts[pending.debit].debits_pending -= pending.amount
                self.accounts[pending.credit].credits_pending -= pending.amount
                pending.resolution = "expired"
                expected += 1
        assert voided == expected

    # -- invariants --------------------------------------------------------------------------------------

    @invariant()
    def ledger_is_sound(self) -> None:
        assert ledger_sum() == 0
        assert ledger_pending_sum() == 0
        stored = {
            row[0]: tuple(row[1:])
            for row in Account.objects.filter(id__in=list(self.accounts)).values_list(
                "id", "debits_posted", "credits_posted", "debits_pending", "credits_pending"
            )
        }
        for account_id, model in self.accounts.items():
            assert stored[account_id] == model.counters, account_id
            assert account_replay(account_id=account_id).counters == model.counters, account_id
            if model.is_guarded:
                assert model.available >= 0


@pytest.mark.django_db
def test_random_sequences_of_ledger_operations_keep_every_invariant():
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=60,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
