"""The database's own guards: they hold when Python is bypassed (raw SQL) or wrong."""

from __future__ import annotations

import importlib
import uuid

import pytest
from django.db import IntegrityError, connection, transaction

from wallet_service.ledger import services
from wallet_service.ledger.chart import PLATFORM_ACCOUNT_IDS, PlatformAccount
from wallet_service.ledger.errors import InsufficientFunds
from wallet_service.ledger.models import Account, Transfer
from wallet_service.ledger.services import _statements

from .ledger_helpers import BID_HOLDS, CUSTODY, assert_ledger_sound, counters, ledger_state, new_wallet

pytestmark = pytest.mark.django_db

GUARDED_PLATFORM_ACCOUNTS = {"fee_revenue", "bid_holds", "order_escrow", "withdrawals_in_flight"}


def execute(sql: str, params: list[object]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def refused(sql: str, params: list[object], *, match: str) -> None:
    """Run ``sql`` in a savepoint and assert the database refuses it, naming ``match``."""
    with pytest.raises(IntegrityError, match=match), transaction.atomic():
        execute(sql, params)


# -- the account chart -----------------------------------------------------------------------------------


def test_platform_accounts_exist_with_the_chart_ids_and_flags():
    platform = {
        account.code: (account.id, account.debits_must_not_exceed_credits, account.user_id)
        for account in Account.objects.filter(kind="platform")
    }

    assert platform == {
        code: (account_id, code in GUARDED_PLATFORM_ACCOUNTS, None)
        for code, account_id in PLATFORM_ACCOUNT_IDS.items()
    }
    assert set(platform) == {
        "custody",
        "fee_revenue",
        "network_fees",
        "bid_holds",
        "order_escrow",
        "withdrawals_in_flight",
        "suspense",
    }


def test_the_data_migration_writes_the_ids_the_chart_derives():
    migration = importlib.import_module("wallet_service.ledger.migrations.0003_platform_accounts")

    assert {code: uuid.UUID(account_id) for code, (account_id, _) in migration.PLATFORM_ACCOUNTS.items()} == (
        PLATFORM_ACCOUNT_IDS
    )
    assert {code for code, (_, guarded) in migration.PLATFORM_ACCOUNTS.items() if guarded} == (
        GUARDED_PLATFORM_ACCOUNTS
    )


def test_a_user_wallet_is_created_once_with_the_no_overdraft_flag():
    user_id = uuid.uuid4()

    first = services.account_user_wallet_get_or_create(user_id=user_id)
    second = services.account_user_wallet_get_or_create(user_id=user_id)

    assert first.id == second.id
    assert (first.kind, first.code, first.user_id, first.debits_must_not_exceed_credits, first.is_frozen) == (
        "user_wallet",
        "user_wallet",
        user_id,
        True,
        False,
    )
    assert Account.objects.filter(user_id=user_id).count() == 1
    assert services.account_platform("custody").id == PlatformAccount.CUSTODY.account_id


# -- no overdraft ----------------------------------------------------------------------------------------


def test_the_database_refuses_an_overdraft_written_with_raw_sql():
    wallet = new_wallet(1_000)
    before = ledger_state()

    refused(
        "UPDATE ledger_account SET debits_posted = debits_posted + 1001 WHERE id = %s",
        [wallet.id],
        match="ledger_account_debits_must_not_exceed_credits",
    )
    refused(
        "UPDATE ledger_account SET debits_pending = debits_pending + 1001 WHERE id = %s",
        [wallet.id],
        match="ledger_account_debits_must_not_exceed_credits",
    )
    # Exactly the whole balance is allowed (and undone by the savepoint).
    with transaction.atomic():
        execute("UPDATE ledger_account SET debits_posted = debits_posted + 1000 WHERE id = %s", [wallet.id])
        assert counters(wallet.id) == (1_000, 1_000, 0, 0)
        transaction.set_rollback(True)

    assert ledger_state() == before
    assert_ledger_sound()


def test_a_raw_transfer_that_would_overdraw_leaves_no_row_and_no_balance_change():
    """The whole of a transfer, written by hand without any check: the CHECK refuses the update,
    and the transaction takes the inserted transfer row down with it."""
    wallet = new_wallet(1_000)
    before = ledger_state()
    transfer_id = uuid.uuid4()

    with (
        pytest.raises(IntegrityError, match="ledger_account_debits_must_not_exceed_credits"),
        transaction.atomic(),
    ):
        execute(
            """
            INSERT INTO ledger_transfer (id, debit_account_id, credit_account_id, amount_koinu, kind,
                reason, reference, created_at)
            VALUES (%s, %s, %s, 1001, 'single', 'transfer', '{}', now())
            """,
            [transfer_id, wallet.id, CUSTODY],
        )
        execute("UPDATE ledger_account SET debits_posted = debits_posted + 1001 WHERE id = %s", [wallet.id])
        execute("UPDATE ledger_account SET credits_posted = credits_posted + 1001 WHERE id = %s", [CUSTODY])

    assert ledger_state() == before
    assert not Transfer.objects.filter(id=transfer_id).exists()


def test_the_check_constraint_refuses_what_a_wrong_python_decision_lets_through(monkeypatch):
    """Break the statement's own funds check (as a bug would): the database still refuses, the
    service reports insufficient funds, and nothing is written."""
    wallet = new_wallet(1_000)
    broken_sql = _statements.CREATE_SQL.replace(
        "OR d.debits_posted + d.debits_pending + %(amount)s::bigint <= d.credits_posted", "OR true"
    )
    assert broken_sql != _statements.CREATE_SQL
    monkeypatch.setattr(_statements, "CREATE_SQL", broken_sql)
    before = ledger_state()
    transfer_id = uuid.uuid4()

    with pytest.raises(InsufficientFunds) as refusal:
        services.transfer_create(
            transfer_id=transfer_id,
            debit_account_id=wallet.id,
            credit_account_id=CUSTODY,
            amount_koinu=1_001,
            reason="transfer",
        )

    assert refusal.value.code == "insufficient_funds"
    assert ledger_state() == before
    assert not Transfer.objects.filter(id=transfer_id).exists()


def test_guarded_platform_accounts_cannot_pay_out_more_than_they_received():
    refused(
        "UPDATE ledger_account SET debits_posted = debits_posted + 1 WHERE id = %s",
        [PlatformAccount.ORDER_ESCROW.account_id],
        match="ledger_account_debits_must_not_exceed_credits",
    )


@pytest.mark.parametrize("column", ["debits_posted", "credits_posted", "debits_pending", "credits_pending"])
def test_no_counter_can_be_negative(column):
    refused(
        f"UPDATE ledger_account SET {column} = -1 WHERE id = %s",
        [CUSTODY],
        match=f"ledger_account_{column}_gte_0",
    )


def test_a_user_wallet_without_the_no_overdraft_flag_cannot_exist():
    refused(
        """
        INSERT INTO ledger_account (id, kind, code, user_id, debits_must_not_exceed_credits, is_frozen,
            frozen_reason, debits_posted, credits_posted, debits_pending, credits_pending, created_at)
        VALUES (%s, 'user_wallet', 'user_wallet', %s, false, false, '', 0, 0, 0, 0, now())
        """,
        [uuid.uuid4(), uuid.uuid4()],
        match="ledger_account_kind_matches_owner",
    )


# -- append-only -----------------------------------------------------------------------------------------


def test_transfers_cannot_be_updated_or_deleted():
    wallet = new_wallet(1_000)
    transfer = Transfer.objects.get(credit_account_id=wallet.id)
    before = ledger_state()

    refused("UPDATE ledger_transfer SET amount_koinu = 1 WHERE id = %s", [transfer.id], match="append-only")
    refused("DELETE FROM ledger_transfer WHERE id = %s", [transfer.id], match="append-only")
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        Transfer.objects.filter(id=transfer.id).update(reason="changed")
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        Transfer.objects.filter(id=transfer.id).delete()

    assert ledger_state() == before
    assert Transfer.objects.get(id=transfer.id).amount_koinu == 1_000


def test_accounts_are_never_deleted_and_their_identity_never_changes():
    wallet = new_wallet()

    refused("DELETE FROM ledger_account WHERE id = %s", [wallet.id], match="append-only")
    refused(
        "UPDATE ledger_account SET user_id = %s WHERE id = %s", [uuid.uuid4(), wallet.id], match="append-only"
    )
    refused(
        "UPDATE ledger_account SET debits_must_not_exceed_credits = false WHERE id = %s",
        [wallet.id],
        match="append-only",
    )
    refused("UPDATE ledger_account SET code = 'custody' WHERE id = %s", [wallet.id], match="append-only")

    assert Account.objects.get(id=wallet.id).user_id == wallet.user_id


# -- transfer shape --------------------------------------------------------------------------------------

INSERT_TRANSFER = """
INSERT INTO ledger_transfer (id, debit_account_id, credit_account_id, amount_koinu, kind, pending_id,
    timeout_at, reason, reference, created_at)
VALUES (%s, %s, %s, %s, %s, %s, %s, 'transfer', '{}', now())
"""


@pytest.mark.parametrize(
    ("amount", "kind", "with_pending", "with_timeout", "constraint"),
    [
        (0, "single", False, False, "ledger_transfer_amount_gt_0"),
        (-5, "single", False, False, "ledger_transfer_amount_gt_0"),
        (5, "post_pending", False, False, "ledger_transfer_pending_iff_resolution"),
        (5, "single", True, False, "ledger_transfer_pending_iff_resolution"),
        (5, "single", False, True, "ledger_transfer_timeout_only_pending"),
        (5, "refund", False, False, "ledger_transfer_kind_valid"),
    ],
)
def test_malformed_transfers_are_refused(amount, kind, with_pending, with_timeout, constraint):
    wallet = new_wallet(1_000)
    pending = Transfer.objects.get(credit_account_id=wallet.id)  # any existing transfer id

    refused(
        INSERT_TRANSFER,
        [
            uuid.uuid4(),
            CUSTODY,
            wallet.id,
            amount,
            kind,
            pending.id if with_pending else None,
            "2030-01-01T00:00:00Z" if with_timeout else None,
        ],
        match=constraint,
    )


def test_a_transfer_between_an_account_and_itself_is_refused():
    refused(
        INSERT_TRANSFER,
        [uuid.uuid4(), CUSTODY, CUSTODY, 5, "single", None, None],
        match="ledger_transfer_accounts_differ",
    )


def test_the_database_admits_one_resolution_per_pending_transfer():
    wallet = new_wallet(1_000)
    hold = services.transfer_create(
        transfer_id=uuid.uuid4(),
        debit_account_id=wallet.id,
        credit_account_id=BID_HOLDS,
        amount_koinu=600,
        reason="bid_hold",
        pending=True,
    )
    services.transfer_void_pending(transfer_id=uuid.uuid4(), pending_id=hold.id)

    refused(
        INSERT_TRANSFER,
        [uuid.uuid4(), wallet.id, BID_HOLDS, 600, "post_pending", hold.id, None],
        match="ledger_transfer_resolved_once",
    )
