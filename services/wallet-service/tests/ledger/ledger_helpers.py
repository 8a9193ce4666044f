"""Helpers of the ledger tests: data built through the service functions, invariants checked exactly."""

from __future__ import annotations

import importlib
import uuid
from dataclasses import dataclass

from django.db import connection

from wallet_service.ledger import services
from wallet_service.ledger.chart import PlatformAccount
from wallet_service.ledger.models import Account, Transfer
from wallet_service.ledger.selectors import account_replay, ledger_pending_sum, ledger_sum

CUSTODY = PlatformAccount.CUSTODY.account_id
BID_HOLDS = PlatformAccount.BID_HOLDS.account_id
ORDER_ESCROW = PlatformAccount.ORDER_ESCROW.account_id
FEE_REVENUE = PlatformAccount.FEE_REVENUE.account_id
SUSPENSE = PlatformAccount.SUSPENSE.account_id

DOGE = 100_000_000


@dataclass(frozen=True)
class LedgerState:
    """Every account's four counters and every transfer id: what a refusal must leave unchanged."""

    counters: dict[uuid.UUID, tuple[int, int, int, int, bool]]
    transfer_ids: frozenset[uuid.UUID]


def ledger_state() -> LedgerState:
    return LedgerState(
        counters={
            row[0]: tuple(row[1:])  # type: ignore[misc]
            for row in Account.objects.values_list(
                "id", "debits_posted", "credits_posted", "debits_pending", "credits_pending", "is_frozen"
            )
        },
        transfer_ids=frozenset(Transfer.objects.values_list("id", flat=True)),
    )


def assert_ledger_sound() -> None:
    """The invariants that hold after every operation: sums zero, no overdraft, counters = replay."""
    assert ledger_sum() == 0
    assert ledger_pending_sum() == 0
    for account in Account.objects.all():
        replayed = account_replay(account_id=account.id)
        assert replayed.counters == (
            account.debits_posted,
            account.credits_posted,
            account.debits_pending,
            account.credits_pending,
        ), account
        if account.debits_must_not_exceed_credits:
            assert account.credits_posted - account.debits_posted - account.debits_pending >= 0, account


def counters(account_id: uuid.UUID) -> tuple[int, int, int, int]:
    """(debits_posted, credits_posted, debits_pending, credits_pending) as stored."""
    row = Account.objects.filter(id=account_id).values_list(
        "debits_posted", "credits_posted", "debits_pending", "credits_pending"
    )
    return tuple(row.get())  # type: ignore[return-value]


def available(account_id: uuid.UUID) -> int:
    debits_posted, credits_posted, debits_pending, _ = counters(account_id)
    return credits_posted - debits_posted - debits_pending


def new_wallet(balance_koinu: int = 0) -> Account:
    """A fresh user's wallet, funded by a deposit (custody → wallet) when ``balance_koinu`` > 0."""
    wallet = services.account_user_wallet_get_or_create(user_id=uuid.uuid4())
    if balance_koinu:
        deposit(wallet.id, balance_koinu)
    return wallet


def deposit(account_id: uuid.UUID, amount_koinu: int) -> Transfer:
    return services.transfer_create(
        transfer_id=uuid.uuid4(),
        debit_account_id=CUSTODY,
        credit_account_id=account_id,
        amount_koinu=amount_koinu,
        reason="deposit",
        reference={"txid": uuid.uuid4().hex * 2, "vout": 0},
    )


def seed_platform_accounts() -> None:
    """Create the platform accounts exactly as migration 0003 does (idempotent).

    Transactional tests need it: the flush between them empties every table, and Django's
    ``serialized_rollback`` cannot restore the accounts (it re-saves rows with millisecond
    timestamps, which the identity trigger of ``ledger_account`` rightly refuses).
    """
    migration = importlib.import_module("wallet_service.ledger.migrations.0003_platform_accounts")
    with connection.cursor() as cursor:
        cursor.execute(migration.FORWARD)


def close_thread_connection() -> None:
    """Close the calling thread's database connection (threads in tests open their own)."""
    connection.close()
