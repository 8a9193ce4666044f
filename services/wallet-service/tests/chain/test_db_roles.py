"""The runtime database role cannot TRUNCATE, DELETE or UPDATE the ledger's transfers (item 10), while
everything the service does still works when it connects as that role."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from wallet_service.chain.management.commands.db_roles import database_tables
from wallet_service.db_roles import TABLE_PRIVILEGES

from .conftest import SERVICE_DIR, SessionKeys, process_env

PASSWORD = "runtime-test-password"


def test_every_table_has_a_privilege_policy(db: None) -> None:
    assert sorted(set(database_tables()) - set(TABLE_PRIVILEGES)) == []
    for table in ("ledger_transfer", "staff_staffaction", "chain_reconciliationrun"):
        assert TABLE_PRIVILEGES[table] == ("SELECT", "INSERT")
    assert not any("TRUNCATE" in privileges for privileges in TABLE_PRIVILEGES.values())


@pytest.fixture
def roles(transactional_db: None, platform_accounts: None) -> Iterator[tuple[str, str]]:
    suffix = uuid.uuid4().hex[:10]
    owner, runtime = f"wallet_owner_t{suffix}", f"wallet_app_t{suffix}"
    call_command("db_roles", owner=owner, runtime=runtime, apply=True)
    with connection.cursor() as cursor:
        cursor.execute(f'ALTER ROLE "{runtime}" LOGIN PASSWORD %s', [PASSWORD])
    try:
        yield owner, runtime
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'REASSIGN OWNED BY "{owner}" TO CURRENT_USER')
            cursor.execute(f'DROP OWNED BY "{owner}", "{runtime}"')
            cursor.execute(f'DROP ROLE "{owner}"')
            cursor.execute(f'DROP ROLE "{runtime}"')


def runtime_dsn(runtime: str) -> str:
    params = connection.settings_dict
    return f"postgresql://{runtime}:{PASSWORD}@{params['HOST']}:{params['PORT']}/{params['NAME']}"


@pytest.mark.parametrize(
    "statement",
    [
        "TRUNCATE ledger_transfer",
        "TRUNCATE ledger_transfer CASCADE",
        "DELETE FROM ledger_transfer",
        "UPDATE ledger_transfer SET reason = 'tampered'",
        "TRUNCATE ledger_account CASCADE",
        "DELETE FROM ledger_account",
        "DELETE FROM chain_withdrawal",
        "TRUNCATE chain_withdrawal CASCADE",
        "UPDATE staff_staffaction SET reason = 'tampered'",
        "DELETE FROM staff_staffaction",
        "CREATE TABLE intruder (id int)",
        "ALTER TABLE ledger_transfer DISABLE TRIGGER ledger_transfer_append_only",
    ],
)
def test_runtime_role_is_refused_destructive_statements(roles: tuple[str, str], statement: str) -> None:
    _, runtime = roles
    with (
        psycopg.connect(runtime_dsn(runtime), autocommit=True) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute(statement)


WORKLOAD = """
import uuid
from django.core.management import call_command
from wallet_service.chain.services import deposit_address_get_or_create, withdrawal_request
from wallet_service.chain.models import Withdrawal
from wallet_service.ledger import services as ledger
from wallet_service.ledger.chart import PlatformAccount
from wallet_service.staff.services import staff_withdrawal_reject
user = uuid.uuid4()
deposit_address_get_or_create(user_id=user)
wallet = ledger.account_user_wallet_get_or_create(user_id=user)
ledger.transfer_create(transfer_id=uuid.uuid4(), debit_account_id=PlatformAccount.CUSTODY.account_id,
    credit_account_id=wallet.id, amount_koinu=500000000, reason="deposit", reference={})
w = withdrawal_request(email_verified=True, user_id=user, address="mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn",
    amount_koinu=300000000, idempotency_key="k1")
staff_withdrawal_reject(withdrawal_id=w.id, staff_id=uuid.uuid4(), reason="test")
ledger.account_freeze(account_id=wallet.id, reason="review")
call_command("ledger_audit")
print("WORKLOAD OK", Withdrawal.objects.get(id=w.id).status)
"""


def test_the_service_works_as_the_runtime_role(
    roles: tuple[str, str], session_keys: SessionKeys, dogecoin_rpc_url: str
) -> None:
    _, runtime = roles
    env = process_env(
        session_keys,
        dogecoin_rpc_url,
        DATABASE_URL=runtime_dsn(runtime).replace("postgresql://", "postgres://"),
        WITHDRAWAL_APPROVAL_THRESHOLD_KOINU="100000000",
    )

    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", WORKLOAD],
        cwd=SERVICE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "WORKLOAD OK rejected" in done.stdout
