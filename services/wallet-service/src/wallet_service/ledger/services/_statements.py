"""The ledger's SQL: one statement per transfer, run as server-side prepared statements.

How a transfer is applied is described in the package docstring (:mod:`wallet_service.ledger.services`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

import psycopg
from django.db import connection

from wallet_service.ledger.models import Transfer

SINGLE = Transfer.Kind.SINGLE.value
PENDING = Transfer.Kind.PENDING.value
POST_PENDING = Transfer.Kind.POST_PENDING.value
VOID_PENDING = Transfer.Kind.VOID_PENDING.value

MAX_REFERENCE_CHARS = 2048
MAX_TIMEOUT_S = 366 * 24 * 3600
MAX_LINKED_TRANSFERS = 1000

TRANSFER_COLUMNS = (
    "id, debit_account_id, credit_account_id, amount_koinu, kind, pending_id, timeout_at, "
    "reason, reference, linked_group, corrects_id, created_at"
)


# -- the statements ------------------------------------------------------------------------------------

# A single or pending transfer in one statement: lock both accounts in id order, decide on their
# current counters, insert, update the counters only if the insert happened.
CREATE_SQL = f"""
WITH accounts AS MATERIALIZED (
    SELECT id, is_frozen, debits_must_not_exceed_credits AS is_guarded,
           debits_posted, credits_posted, debits_pending
    FROM ledger_account
    WHERE id = %(debit)s::uuid OR id = %(credit)s::uuid
    ORDER BY id
    FOR NO KEY UPDATE
),
decision AS MATERIALIZED (
    SELECT (NOT d.is_frozen OR %(allow_frozen)s::boolean) AS is_debit_allowed,
           (NOT d.is_guarded
            OR d.debits_posted + d.debits_pending + %(amount)s::bigint <= d.credits_posted) AS has_funds
    FROM accounts AS d, accounts AS c
    WHERE d.id = %(debit)s::uuid AND c.id = %(credit)s::uuid
),
inserted AS (
    INSERT INTO ledger_transfer ({TRANSFER_COLUMNS})
    SELECT %(id)s::uuid, %(debit)s::uuid, %(credit)s::uuid, %(amount)s::bigint, %(kind)s::varchar,
           NULL, now() + %(timeout_s)s::bigint * interval '1 second', %(reason)s::varchar,
           %(reference)s::jsonb, %(linked_group)s::uuid, %(corrects)s::uuid, now()
    FROM decision
    WHERE is_debit_allowed AND has_funds
    ON CONFLICT DO NOTHING
    RETURNING created_at, timeout_at
),
updated AS (
    UPDATE ledger_account AS a
    SET debits_posted = a.debits_posted
            + CASE WHEN a.id = %(debit)s::uuid THEN %(posted)s::bigint ELSE 0 END,
        credits_posted = a.credits_posted
            + CASE WHEN a.id = %(credit)s::uuid THEN %(posted)s::bigint ELSE 0 END,
        debits_pending = a.debits_pending
            + CASE WHEN a.id = %(debit)s::uuid THEN %(pending)s::bigint ELSE 0 END,
        credits_pending = a.credits_pending
            + CASE WHEN a.id = %(credit)s::uuid THEN %(pending)s::bigint ELSE 0 END
    FROM inserted
    WHERE a.id = %(debit)s::uuid OR a.id = %(credit)s::uuid
    RETURNING a.id
)
SELECT i.created_at, i.timeout_at, (SELECT count(*) FROM updated)
FROM (SELECT 1) AS one LEFT JOIN inserted AS i ON true
"""  # noqa: S608 - constant column list; values are parameters

# Post or void a pending transfer in one statement: lock the pending transfer's accounts in id
# order, insert the resolution (the partial UNIQUE index on pending_id admits one), then move the
# pending amount out of *_pending and, for a post, the posted amount into *_posted.
RESOLVE_SQL = f"""
WITH pending AS MATERIALIZED (
    SELECT id, debit_account_id, credit_account_id, amount_koinu, kind, timeout_at, reason, reference
    FROM ledger_transfer
    WHERE id = %(pending_id)s::uuid
),
accounts AS MATERIALIZED (
    SELECT a.id
    FROM ledger_account AS a, pending AS p
    WHERE a.id = p.debit_account_id OR a.id = p.credit_account_id
    ORDER BY a.id
    FOR NO KEY UPDATE OF a
),
decision AS MATERIALIZED (
    SELECT p.id, p.debit_account_id, p.credit_account_id, p.amount_koinu AS pending_amount,
           p.reason, p.reference,
           CASE WHEN %(is_post)s::boolean THEN coalesce(%(amount)s::bigint, p.amount_koinu)
                ELSE p.amount_koinu END AS amount
    FROM pending AS p
    WHERE p.kind = 'pending'
      AND (NOT %(check_expiry)s::boolean OR p.timeout_at IS NULL OR p.timeout_at > statement_timestamp())
      AND (SELECT count(*) FROM accounts) = 2
),
inserted AS (
    INSERT INTO ledger_transfer ({TRANSFER_COLUMNS})
    SELECT %(id)s::uuid, d.debit_account_id, d.credit_account_id, d.amount, %(kind)s::varchar, d.id,
           NULL, coalesce(%(reason)s::varchar, d.reason), coalesce(%(reference)s::jsonb, d.reference),
           %(linked_group)s::uuid, NULL, now()
    FROM decision AS d
    WHERE d.amount <= d.pending_amount
    ON CONFLICT DO NOTHING
    RETURNING debit_account_id, credit_account_id, amount_koinu, reason, reference, created_at
),
updated AS (
    UPDATE ledger_account AS a
    SET debits_pending = a.debits_pending
            - CASE WHEN a.id = d.debit_account_id THEN d.pending_amount ELSE 0 END,
        credits_pending = a.credits_pending
            - CASE WHEN a.id = d.credit_account_id THEN d.pending_amount ELSE 0 END,
        debits_posted = a.debits_posted
            + CASE WHEN %(is_post)s::boolean AND a.id = d.debit_account_id THEN i.amount_koinu ELSE 0 END,
        credits_posted = a.credits_posted
            + CASE WHEN %(is_post)s::boolean AND a.id = d.credit_account_id THEN i.amount_koinu ELSE 0 END
    FROM inserted AS i, decision AS d
    WHERE a.id = d.debit_account_id OR a.id = d.credit_account_id
    RETURNING a.id
)
SELECT i.debit_account_id, i.credit_account_id, i.amount_koinu, i.reason, i.reference, i.created_at,
       (SELECT count(*) FROM updated)
FROM (SELECT 1) AS one LEFT JOIN inserted AS i ON true
"""  # noqa: S608 - constant column list; values are parameters

#: A psycopg prepare threshold no query reaches by repetition: only ``prepare=True`` prepares.
PREPARE_ONLY_WHEN_ASKED = 2**31 - 1

LOCK_ACCOUNTS_SQL = """
SELECT id FROM ledger_account WHERE id = ANY(%(ids)s::uuid[]) ORDER BY id FOR NO KEY UPDATE
"""


def fetch_one(sql: str, params: Mapping[str, Any]) -> tuple[Any, ...]:
    """Run one of the ledger's statements as a server-side prepared statement; return its row.

    Django's cursors bind parameters client-side, so PostgreSQL would parse and plan the whole
    statement on every transfer. A psycopg server-binding cursor on the same connection (same
    transaction) prepares it once per connection instead; errors are still Django's.
    """
    connection.ensure_connection()
    connection.validate_no_broken_transaction()
    raw_connection = connection.connection
    if raw_connection.prepare_threshold is None:
        # Django turns automatic preparing off (its cursors bind client-side and never prepare);
        # any threshold enables the explicit prepare=True below, and nothing else changes.
        raw_connection.prepare_threshold = PREPARE_ONLY_WHEN_ASKED
    with connection.wrap_database_errors, psycopg.Cursor(raw_connection) as cursor:
        cursor.execute(sql, params, prepare=True)
        row = cursor.fetchone()
    assert row is not None
    return tuple(row)


def lock_accounts(account_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """Lock the accounts in id order (the ledger's one lock order); return the ids that exist."""
    with connection.cursor() as cursor:
        cursor.execute(LOCK_ACCOUNTS_SQL, {"ids": sorted(set(account_ids))})
        return {row[0] for row in cursor.fetchall()}
