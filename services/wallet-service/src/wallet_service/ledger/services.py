"""Writes of the ledger: `<entity>_<action>` functions, keyword-only and atomic.

Multi-statement functions are ``@transaction.atomic``. ``transfer_create``, ``transfer_post_pending``
and ``transfer_void_pending`` are a single statement: called outside a transaction, that statement
is its own transaction (no BEGIN/COMMIT round trips, account locks held shorter); inside one, they
take a savepoint like ``@transaction.atomic`` (see :func:`_apply_or_replay`).

How a transfer is applied (docs/wallet-architecture.md, "Locking and round trips"):

* One SQL statement per transfer. It locks the accounts the transfer touches with
  ``SELECT ... ORDER BY id FOR NO KEY UPDATE`` (the fixed lock order that makes deadlocks between
  transfers impossible), decides on the locked, current balances (frozen? enough funds?), inserts the
  transfer with ``ON CONFLICT DO NOTHING`` and updates the four counters of both accounts only if
  the insert happened. There is no read-decide-write gap: the decision is made on rows the statement
  holds locked, and the CHECK constraints of ``ledger_account`` refuse an overdraft even if the
  decision were wrong.
* Nothing inserted means the transfer was refused or its id exists; only then does Python look
  for the reason (reads only), so the happy path is one round trip.
* A linked group (several transfers, all or none) first locks every account of the group in one
  ordered statement, then applies its transfers one by one inside a savepoint.

Transfer ids are chosen by callers and are idempotency keys: the same id with the same contents
returns the recorded transfer and changes nothing; with different contents it raises
:class:`~wallet_service.ledger.errors.TransferConflict`. Refusals raise an
:class:`~dbay_common.errors.ApiError` subclass from :mod:`wallet_service.ledger.errors` and leave
no trace (no transfer row, no balance change). No function here emits events; the chain app
publishes deposit and withdrawal events in the same transactions as its calls.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import psycopg
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from dbay_common.money import KOINU_MAX
from wallet_service.ledger.chart import (
    EXPIRED_REASON,
    USER_WALLET_CODE,
    PlatformAccount,
    expiry_void_id,
    onward_transfer_id,
    replacement_void_id,
    user_wallet_account_id,
)
from wallet_service.ledger.errors import (
    AccountFrozen,
    AccountNotFound,
    ApiError,
    ExceedsPendingAmount,
    InsufficientFunds,
    InvalidTransfer,
    PendingTransferAlreadyPosted,
    PendingTransferAlreadyVoided,
    PendingTransferExpired,
    ReversalExceedsOriginal,
    TransferConflict,
    TransferNotFound,
    TransferNotPending,
    TransferNotReversible,
)
from wallet_service.ledger.models import Account, Transfer

__all__ = [
    "EXPIRED_REASON",
    "TransferSpec",
    "account_freeze",
    "account_platform",
    "account_unfreeze",
    "account_user_wallet_get_or_create",
    "transfer_create",
    "transfer_pending_replace",
    "transfer_post_pending",
    "transfer_reverse",
    "transfer_void_pending",
    "transfers_create_linked",
    "transfers_void_expired",
]

SINGLE = Transfer.Kind.SINGLE.value
PENDING = Transfer.Kind.PENDING.value
POST_PENDING = Transfer.Kind.POST_PENDING.value
VOID_PENDING = Transfer.Kind.VOID_PENDING.value

REASON_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,31}")
MAX_REFERENCE_CHARS = 2048
MAX_TIMEOUT_S = 366 * 24 * 3600
MAX_LINKED_TRANSFERS = 1000

_TRANSFER_COLUMNS = (
    "id, debit_account_id, credit_account_id, amount_koinu, kind, pending_id, timeout_at, "
    "reason, reference, linked_group, corrects_id, created_at"
)


# -- the statements ------------------------------------------------------------------------------------

# A single or pending transfer in one statement: lock both accounts in id order, decide on their
# current counters, insert, update the counters only if the insert happened.
_CREATE_SQL = f"""
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
    INSERT INTO ledger_transfer ({_TRANSFER_COLUMNS})
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
_RESOLVE_SQL = f"""
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
    INSERT INTO ledger_transfer ({_TRANSFER_COLUMNS})
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

_LOCK_ACCOUNTS_SQL = """
SELECT id FROM ledger_account WHERE id = ANY(%(ids)s::uuid[]) ORDER BY id FOR NO KEY UPDATE
"""


def _fetch_one(sql: str, params: Mapping[str, Any]) -> tuple[Any, ...]:
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


def _lock_accounts(account_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """Lock the accounts in id order (the ledger's one lock order); return the ids that exist."""
    with connection.cursor() as cursor:
        cursor.execute(_LOCK_ACCOUNTS_SQL, {"ids": sorted(set(account_ids))})
        return {row[0] for row in cursor.fetchall()}


# -- input ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TransferSpec:
    """One transfer of a linked group (:func:`transfers_create_linked`); mirrors the functions' args.

    ``kind`` ``single`` or ``pending`` needs ``debit_account_id``, ``credit_account_id``,
    ``amount_koinu`` and ``reason`` (``timeout_s`` only for pending). ``post_pending`` and
    ``void_pending`` need ``pending_id``; a post may give ``amount_koinu`` (default: all of it), a
    void may not. Their accounts are the pending transfer's; reason and reference default to the
    pending transfer's. A post or void may name a pending transfer created earlier in the same group.
    """

    transfer_id: uuid.UUID
    kind: str = SINGLE
    debit_account_id: uuid.UUID | None = None
    credit_account_id: uuid.UUID | None = None
    amount_koinu: int | None = None
    reason: str | None = None
    reference: Mapping[str, Any] | None = None
    timeout_s: int | None = None
    pending_id: uuid.UUID | None = None
    corrects_id: uuid.UUID | None = None

    @classmethod
    def single(
        cls,
        *,
        transfer_id: uuid.UUID,
        debit_account_id: uuid.UUID,
        credit_account_id: uuid.UUID,
        amount_koinu: int,
        reason: str,
        reference: Mapping[str, Any] | None = None,
    ) -> TransferSpec:
        return cls(
            transfer_id=transfer_id,
            kind=SINGLE,
            debit_account_id=debit_account_id,
            credit_account_id=credit_account_id,
            amount_koinu=amount_koinu,
            reason=reason,
            reference=reference,
        )

    @classmethod
    def pending_transfer(
        cls,
        *,
        transfer_id: uuid.UUID,
        debit_account_id: uuid.UUID,
        credit_account_id: uuid.UUID,
        amount_koinu: int,
        reason: str,
        reference: Mapping[str, Any] | None = None,
        timeout_s: int | None = None,
    ) -> TransferSpec:
        return cls(
            transfer_id=transfer_id,
            kind=PENDING,
            debit_account_id=debit_account_id,
            credit_account_id=credit_account_id,
            amount_koinu=amount_koinu,
            reason=reason,
            reference=reference,
            timeout_s=timeout_s,
        )

    @classmethod
    def post(
        cls, *, transfer_id: uuid.UUID, pending_id: uuid.UUID, amount_koinu: int | None = None
    ) -> TransferSpec:
        return cls(
            transfer_id=transfer_id, kind=POST_PENDING, pending_id=pending_id, amount_koinu=amount_koinu
        )

    @classmethod
    def void(cls, *, transfer_id: uuid.UUID, pending_id: uuid.UUID) -> TransferSpec:
        return cls(transfer_id=transfer_id, kind=VOID_PENDING, pending_id=pending_id)


def _require_uuid(value: object, param: str) -> uuid.UUID:
    if not isinstance(value, uuid.UUID):
        raise InvalidTransfer(f"{param} must be a UUID.", param=param)
    return value


def _check_amount(value: object, param: str = "amount_koinu") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= KOINU_MAX:
        raise InvalidTransfer(
            f"{param} must be a positive whole number of koinu (at most {KOINU_MAX}).",
            code="invalid_amount",
            param=param,
        )
    return int(value)


def _check_reason(value: object) -> str:
    if not isinstance(value, str) or not REASON_PATTERN.fullmatch(value):
        raise InvalidTransfer(
            "reason must be a short code: a lowercase letter, then up to 31 lowercase letters, digits "
            "or underscores.",
            code="invalid_reason",
            param="reason",
        )
    if value == EXPIRED_REASON:
        raise InvalidTransfer(
            f"reason {EXPIRED_REASON!r} is reserved for the expiry sweep.",
            code="invalid_reason",
            param="reason",
        )
    return value


def _reject_floats(value: Any) -> None:
    if isinstance(value, float):
        raise InvalidTransfer("reference must not contain floating-point numbers.", param="reference")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise InvalidTransfer("reference keys must be strings.", param="reference")
            _reject_floats(item)
    elif isinstance(value, list):
        for item in value:
            _reject_floats(item)


def _normalise_reference(value: Mapping[str, Any] | None) -> dict[str, Any]:
    """The reference as stored: a JSON object of strings, integers, booleans, nulls, lists, objects."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidTransfer("reference must be a JSON object.", param="reference")
    reference = dict(value)
    _reject_floats(reference)
    try:
        text = json.dumps(reference, sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError):
        raise InvalidTransfer(
            "reference must be JSON: strings, integers, booleans, lists, objects."
        ) from None
    if len(text) > MAX_REFERENCE_CHARS:
        raise InvalidTransfer(
            f"reference must be at most {MAX_REFERENCE_CHARS} characters of JSON.", param="reference"
        )
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@dataclass(frozen=True)
class _Prepared:
    """A validated transfer request."""

    transfer_id: uuid.UUID
    kind: str
    debit_account_id: uuid.UUID | None
    credit_account_id: uuid.UUID | None
    amount_koinu: int | None
    reason: str | None
    reference: dict[str, Any] | None
    timeout_s: int | None
    pending_id: uuid.UUID | None
    corrects_id: uuid.UUID | None = None
    allow_frozen: bool = False
    check_expiry: bool = True


def _prepare(spec: TransferSpec) -> _Prepared:
    transfer_id = _require_uuid(spec.transfer_id, "transfer_id")
    if spec.kind in (SINGLE, PENDING):
        debit = _require_uuid(spec.debit_account_id, "debit_account_id")
        credit = _require_uuid(spec.credit_account_id, "credit_account_id")
        if debit == credit:
            raise InvalidTransfer(
                "debit and credit account must differ.",
                code="accounts_must_differ",
                param="credit_account_id",
            )
        if spec.pending_id is not None:
            raise InvalidTransfer(f"a {spec.kind} transfer names no pending transfer.", param="pending_id")
        timeout_s = spec.timeout_s
        if timeout_s is not None:
            if spec.kind != PENDING:
                raise InvalidTransfer("only a pending transfer can have a timeout.", param="timeout_s")
            if (
                isinstance(timeout_s, bool)
                or not isinstance(timeout_s, int)
                or not 0 < timeout_s <= MAX_TIMEOUT_S
            ):
                raise InvalidTransfer(
                    f"timeout_s must be a whole number of seconds from 1 to {MAX_TIMEOUT_S}.",
                    param="timeout_s",
                )
        if spec.corrects_id is not None:
            _require_uuid(spec.corrects_id, "corrects_id")
        return _Prepared(
            transfer_id=transfer_id,
            kind=spec.kind,
            debit_account_id=debit,
            credit_account_id=credit,
            amount_koinu=_check_amount(spec.amount_koinu),
            reason=_check_reason(spec.reason),
            reference=_normalise_reference(spec.reference),
            timeout_s=timeout_s,
            pending_id=None,
            corrects_id=spec.corrects_id,
        )
    if spec.kind in (POST_PENDING, VOID_PENDING):
        pending_id = _require_uuid(spec.pending_id, "pending_id")
        if pending_id == transfer_id:
            raise InvalidTransfer("a transfer cannot resolve itself.", param="pending_id")
        if spec.debit_account_id is not None or spec.credit_account_id is not None:
            raise InvalidTransfer(
                "a post or void moves between the pending transfer's accounts; name no accounts.",
                param="credit_account_id",
            )
        if spec.timeout_s is not None or spec.corrects_id is not None:
            raise InvalidTransfer("a post or void has no timeout and corrects nothing.")
        amount: int | None = None
        if spec.amount_koinu is not None:
            if spec.kind == VOID_PENDING:
                raise InvalidTransfer("a void releases the whole pending amount; give no amount.")
            amount = _check_amount(spec.amount_koinu)
        return _Prepared(
            transfer_id=transfer_id,
            kind=spec.kind,
            debit_account_id=None,
            credit_account_id=None,
            amount_koinu=amount,
            reason=None if spec.reason is None else _check_reason(spec.reason),
            reference=None if spec.reference is None else _normalise_reference(spec.reference),
            timeout_s=None,
            pending_id=pending_id,
        )
    raise InvalidTransfer(
        "kind must be one of single, pending, post_pending, void_pending.", code="invalid_kind", param="kind"
    )


# -- applying one transfer -----------------------------------------------------------------------------


class _AlreadyExists(Exception):  # noqa: N818 - internal signal, never leaves this module
    """The transfer id is taken (the caller then decides: replay, conflict, or retry the group)."""


def _transfer_instance(**fields: Any) -> Transfer:
    transfer = Transfer(**fields)
    transfer._state.adding = False
    transfer._state.db = "default"
    return transfer


def _apply_create(item: _Prepared, *, linked_group: uuid.UUID | None) -> Transfer:
    """Insert a single or pending transfer; raise its refusal, or :class:`_AlreadyExists`."""
    assert item.amount_koinu is not None and item.debit_account_id and item.credit_account_id
    is_pending = item.kind == PENDING
    created_at, timeout_at, updated = _fetch_one(
        _CREATE_SQL,
        {
            "id": item.transfer_id,
            "debit": item.debit_account_id,
            "credit": item.credit_account_id,
            "amount": item.amount_koinu,
            "kind": item.kind,
            "timeout_s": item.timeout_s,
            "reason": item.reason,
            "reference": json.dumps(item.reference),
            "linked_group": linked_group,
            "corrects": item.corrects_id,
            "allow_frozen": item.allow_frozen,
            "posted": 0 if is_pending else item.amount_koinu,
            "pending": item.amount_koinu if is_pending else 0,
        },
    )
    if created_at is not None:
        assert updated == 2, "a transfer must update exactly its two accounts"
        return _transfer_instance(
            id=item.transfer_id,
            debit_account_id=item.debit_account_id,
            credit_account_id=item.credit_account_id,
            amount_koinu=item.amount_koinu,
            kind=item.kind,
            pending_id=None,
            timeout_at=timeout_at,
            reason=item.reason,
            reference=item.reference,
            linked_group=linked_group,
            corrects_id=item.corrects_id,
            created_at=created_at,
        )
    _raise_create_refusal(item)
    raise AssertionError("unreachable")


def _raise_create_refusal(item: _Prepared) -> None:
    """Nothing was inserted: say why (reads only; a replay is signalled by :class:`_AlreadyExists`).

    Inside a transaction the accounts are still locked; outside one the statement has committed
    and the reads may see later changes, which can only change the stated reason, never the fact
    that nothing was written.
    """
    if Transfer.objects.filter(id=item.transfer_id).exists():
        raise _AlreadyExists
    accounts = {
        account.id: account
        for account in Account.objects.filter(id__in=[item.debit_account_id, item.credit_account_id])
    }
    debit = accounts.get(item.debit_account_id)  # type: ignore[arg-type]
    if debit is None:
        raise AccountNotFound("The debit account does not exist.", param="debit_account_id")
    if item.credit_account_id not in accounts:
        raise AccountNotFound("The credit account does not exist.", param="credit_account_id")
    if debit.is_frozen and not item.allow_frozen:
        raise AccountFrozen(param="debit_account_id")
    raise InsufficientFunds(param="amount_koinu")


def _apply_resolve(item: _Prepared, *, linked_group: uuid.UUID | None) -> Transfer:
    """Insert a post or void of a pending transfer; raise its refusal, or :class:`_AlreadyExists`."""
    assert item.pending_id is not None
    is_post = item.kind == POST_PENDING
    debit, credit, amount, reason, reference, created_at, updated = _fetch_one(
        _RESOLVE_SQL,
        {
            "id": item.transfer_id,
            "pending_id": item.pending_id,
            "kind": item.kind,
            "is_post": is_post,
            "amount": item.amount_koinu,
            "check_expiry": item.check_expiry,
            "reason": item.reason,
            "reference": None if item.reference is None else json.dumps(item.reference),
            "linked_group": linked_group,
        },
    )
    if created_at is not None:
        assert updated == 2, "a post or void must update exactly its two accounts"
        return _transfer_instance(
            id=item.transfer_id,
            debit_account_id=debit,
            credit_account_id=credit,
            amount_koinu=amount,
            kind=item.kind,
            pending_id=item.pending_id,
            timeout_at=None,
            reason=reason,
            reference=reference if isinstance(reference, dict) else json.loads(reference),
            linked_group=linked_group,
            corrects_id=None,
            created_at=created_at,
        )
    _raise_resolve_refusal(item)
    raise AssertionError("unreachable")


def _raise_resolve_refusal(item: _Prepared) -> None:
    if Transfer.objects.filter(id=item.transfer_id).exists():
        raise _AlreadyExists
    pending = Transfer.objects.filter(id=item.pending_id).first()
    if pending is None:
        raise TransferNotFound("The pending transfer does not exist.", param="pending_id")
    if pending.kind != PENDING:
        raise TransferNotPending(param="pending_id")
    resolution = Transfer.objects.filter(pending_id=item.pending_id).first()
    if resolution is not None:
        if resolution.kind == POST_PENDING:
            raise PendingTransferAlreadyPosted(param="pending_id")
        if resolution.reason == EXPIRED_REASON:
            raise PendingTransferExpired(param="pending_id")
        raise PendingTransferAlreadyVoided(param="pending_id")
    if item.check_expiry and pending.timeout_at is not None and pending.timeout_at <= _database_now():
        raise PendingTransferExpired(param="pending_id")
    if item.amount_koinu is not None and item.amount_koinu > pending.amount_koinu:
        raise ExceedsPendingAmount(param="amount_koinu")
    # The pending transfer exists, so its accounts do (foreign keys); nothing else can refuse.
    raise AssertionError(f"post/void of {item.pending_id} refused for no known reason")


def _database_now() -> datetime:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement_timestamp()")
        row = cursor.fetchone()
    assert row is not None
    now: datetime = row[0]
    return now


def _apply(item: _Prepared, *, linked_group: uuid.UUID | None) -> Transfer:
    try:
        if item.kind in (SINGLE, PENDING):
            return _apply_create(item, linked_group=linked_group)
        return _apply_resolve(item, linked_group=linked_group)
    except IntegrityError as error:
        # The CHECK constraints are the last line: they refuse what the statement's own decision
        # should already have refused. Reaching here means the decision was wrong; still a refusal.
        if "ledger_account_debits_must_not_exceed_credits" in str(error):
            raise InsufficientFunds(param="amount_koinu") from error
        raise


# -- idempotent replay ---------------------------------------------------------------------------------


def _same_contents(existing: Transfer, item: _Prepared, *, linked_group: uuid.UUID | None) -> bool:
    """Whether ``existing`` is what ``item`` would have written (its id's first use)."""
    if existing.kind != item.kind or existing.linked_group != linked_group:
        return False
    if item.kind in (SINGLE, PENDING):
        timeout = None if existing.timeout_at is None else existing.timeout_at - existing.created_at
        return (
            existing.debit_account_id == item.debit_account_id
            and existing.credit_account_id == item.credit_account_id
            and existing.amount_koinu == item.amount_koinu
            and existing.reason == item.reason
            and existing.reference == item.reference
            and existing.corrects_id == item.corrects_id
            and timeout == (None if item.timeout_s is None else timedelta(seconds=item.timeout_s))
        )
    if existing.pending_id != item.pending_id:
        return False
    if item.reason is not None and existing.reason != item.reason:
        return False
    if item.reference is not None and existing.reference != item.reference:
        return False
    if item.kind == POST_PENDING:
        if item.amount_koinu is None:
            pending_amount = (
                Transfer.objects.filter(id=item.pending_id).values_list("amount_koinu", flat=True).first()
            )
            return existing.amount_koinu == pending_amount
        return existing.amount_koinu == item.amount_koinu
    return True


def _replay(item: _Prepared, *, linked_group: uuid.UUID | None) -> Transfer:
    existing = Transfer.objects.get(id=item.transfer_id)
    if not _same_contents(existing, item, linked_group=linked_group):
        raise TransferConflict(param="transfer_id")
    return existing


def _apply_or_replay(item: _Prepared) -> Transfer:
    """Apply one unlinked transfer, or return it if its id was already used for the same thing.

    Atomic by construction: the transfer is one statement. Inside a caller's transaction it runs
    in a savepoint (a refusal leaves the caller's transaction usable, as ``@transaction.atomic``
    would); outside one, the statement is its own transaction, which saves the BEGIN and COMMIT
    round trips and holds the account locks one round trip less. The reads that explain a refusal
    or find a replay come after it and change nothing.
    """
    if connection.in_atomic_block:
        with transaction.atomic():
            return _apply_or_replay_statement(item)
    return _apply_or_replay_statement(item)


def _apply_or_replay_statement(item: _Prepared) -> Transfer:
    try:
        return _apply(item, linked_group=None)
    except _AlreadyExists:
        return _replay(item, linked_group=None)


# -- accounts ------------------------------------------------------------------------------------------


def account_user_wallet_get_or_create(*, user_id: uuid.UUID) -> Account:
    """The wallet account of ``user_id``, created (empty, no-overdraft flag set) on first use.

    Safe under concurrency: ``INSERT ... ON CONFLICT DO NOTHING`` on the unique ``user_id``, then a
    read. The id is derived from the user id (:func:`~wallet_service.ledger.chart.user_wallet_account_id`).
    Locks nothing beyond the inserted row; emits no events.
    """
    _require_uuid(user_id, "user_id")
    account_id = user_wallet_account_id(user_id)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO ledger_account (id, kind, code, user_id, debits_must_not_exceed_credits,
                is_frozen, frozen_reason, debits_posted, credits_posted, debits_pending,
                credits_pending, created_at)
            VALUES (%s, 'user_wallet', %s, %s, true, false, '', 0, 0, 0, 0, now())
            ON CONFLICT DO NOTHING
            """,
            [account_id, USER_WALLET_CODE, user_id],
        )
    return Account.objects.get(id=account_id)


def account_platform(code: str) -> Account:
    """The platform account ``code`` (``custody``, ``fee_revenue``, ...; see ``PlatformAccount``).

    Raises :class:`AccountNotFound` for an unknown code. Read-only.
    """
    try:
        account_id = PlatformAccount(code).account_id
    except ValueError:
        raise AccountNotFound(f"No platform account {code!r}.", param="platform") from None
    account = Account.objects.filter(id=account_id).first()
    if account is None:
        raise AccountNotFound(f"Platform account {code!r} is missing; run the migrations.", param="platform")
    return account


@transaction.atomic
def account_freeze(*, account_id: uuid.UUID, reason: str) -> Account:
    """Freeze an account for review: it can still be credited and its holds posted or voided, but
    nothing new can debit it (single or pending transfers), except corrections (``transfer_reverse``).

    Idempotent (freezing a frozen account updates the reason). One conditional UPDATE (row lock).
    """
    return _account_set_frozen(account_id=account_id, is_frozen=True, reason=reason)


@transaction.atomic
def account_unfreeze(*, account_id: uuid.UUID) -> Account:
    """Lift a freeze (after review). Idempotent; one UPDATE."""
    return _account_set_frozen(account_id=account_id, is_frozen=False, reason="")


def _account_set_frozen(*, account_id: uuid.UUID, is_frozen: bool, reason: str) -> Account:
    _require_uuid(account_id, "account_id")
    if not isinstance(reason, str) or len(reason) > 200 or (is_frozen and not reason.strip()):
        raise InvalidTransfer("reason must be 1 to 200 characters.", param="reason")
    updated = Account.objects.filter(id=account_id).update(is_frozen=is_frozen, frozen_reason=reason)
    if not updated:
        raise AccountNotFound(param="account_id")
    return Account.objects.get(id=account_id)


# -- transfers -----------------------------------------------------------------------------------------


def transfer_create(
    *,
    transfer_id: uuid.UUID,
    debit_account_id: uuid.UUID,
    credit_account_id: uuid.UUID,
    amount_koinu: int,
    reason: str,
    reference: Mapping[str, Any] | None = None,
    pending: bool = False,
    timeout_s: int | None = None,
) -> Transfer:
    """Move ``amount_koinu`` from the debit to the credit account, or reserve it (``pending=True``).

    Invariants: amount > 0, accounts differ and exist, the debit account is not frozen, and a
    no-overdraft account keeps ``debits_posted + debits_pending <= credits_posted`` (also a CHECK).
    A pending transfer with ``timeout_s`` is voided by :func:`transfers_void_expired` after that many
    seconds unless posted or voided first.

    Idempotent on ``transfer_id``: same contents → the recorded transfer, unchanged; different
    contents → :class:`TransferConflict`. Refusals: :class:`InsufficientFunds`,
    :class:`AccountFrozen`, :class:`AccountNotFound`, :class:`InvalidTransfer`.

    Locks both accounts (``FOR NO KEY UPDATE``, in id order) in the single statement that applies
    the transfer. Emits no events.
    """
    item = _prepare(
        TransferSpec(
            transfer_id=transfer_id,
            kind=PENDING if pending else SINGLE,
            debit_account_id=debit_account_id,
            credit_account_id=credit_account_id,
            amount_koinu=amount_koinu,
            reason=reason,
            reference=reference,
            timeout_s=timeout_s,
        )
    )
    return _apply_or_replay(item)


def transfer_post_pending(
    *,
    transfer_id: uuid.UUID,
    pending_id: uuid.UUID,
    amount_koinu: int | None = None,
    credit_account_id: uuid.UUID | None = None,
) -> Transfer:
    """Post a pending transfer: all of it (``amount_koinu=None``) or part, releasing the rest.

    TigerBeetle semantics: the post moves money between the pending transfer's own accounts. Given
    ``credit_account_id`` (different from the pending transfer's credit account), the posted amount
    then moves on from that account to ``credit_account_id`` in a second transfer linked to the post
    (id :func:`~wallet_service.ledger.chart.onward_transfer_id` of ``transfer_id``), both or neither;
    the ledger thus shows e.g. user → bid_holds (post) and bid_holds → order_escrow (onward).

    Refusals: :class:`TransferNotFound`, :class:`TransferNotPending`,
    :class:`PendingTransferAlreadyPosted` / ``AlreadyVoided`` / ``Expired`` (a pending transfer
    resolves once), :class:`ExceedsPendingAmount`. Posting is allowed on a frozen account: the funds
    were reserved before the freeze. Idempotent on ``transfer_id`` (and the onward id).

    Locks the pending transfer's two accounts in id order (plus the onward destination, all in one
    ordered statement, when redirecting). Returns the post transfer. Emits no events.
    """
    _require_uuid(transfer_id, "transfer_id")
    _require_uuid(pending_id, "pending_id")
    post = TransferSpec.post(transfer_id=transfer_id, pending_id=pending_id, amount_koinu=amount_koinu)
    if credit_account_id is not None:
        _require_uuid(credit_account_id, "credit_account_id")
        pending = Transfer.objects.filter(id=pending_id).first()
        if pending is not None and pending.credit_account_id != credit_account_id:
            # The onward transfer needs the posted amount up front: the whole pending amount unless
            # a part was given (an over-large part is refused by the post itself).
            onward_amount = amount_koinu if amount_koinu is not None else pending.amount_koinu
            onward = TransferSpec.single(
                transfer_id=onward_transfer_id(transfer_id),
                debit_account_id=pending.credit_account_id,
                credit_account_id=credit_account_id,
                amount_koinu=onward_amount,
                reason=pending.reason,
                reference=pending.reference,
            )
            with transaction.atomic():
                return _apply_group([_prepare(post), _prepare(onward)], name_members=False)[0]
    return _apply_or_replay(_prepare(post))


def transfer_void_pending(*, transfer_id: uuid.UUID, pending_id: uuid.UUID) -> Transfer:
    """Void a pending transfer: its whole amount returns to the debit account's available balance.

    Refusals as for :func:`transfer_post_pending`; a void after the timeout is
    :class:`PendingTransferExpired` (the sweep voids it). Idempotent on ``transfer_id``. Locks the
    pending transfer's two accounts in id order, in one statement. Emits no events.
    """
    return _apply_or_replay(_prepare(TransferSpec.void(transfer_id=transfer_id, pending_id=pending_id)))


@transaction.atomic
def transfer_pending_replace(
    *,
    transfer_id: uuid.UUID,
    replaces_id: uuid.UUID,
    debit_account_id: uuid.UUID,
    credit_account_id: uuid.UUID,
    amount_koinu: int,
    reason: str,
    reference: Mapping[str, Any] | None = None,
    timeout_s: int | None = None,
) -> Transfer:
    """Replace a pending transfer by a new one from the same account, both or neither (a raised bid).

    A linked group: first the void of ``replaces_id`` (id
    :func:`~wallet_service.ledger.chart.replacement_void_id` of ``transfer_id``), then the new pending
    transfer, which may therefore use the amount the void releases (raising a hold from 5 to 8 DOGE
    needs 8 available after the release, not 13). If either is refused (the old one is resolved or
    expired, funds are short, ...) nothing changes and the old hold stands.

    The replaced transfer must be pending and debit ``debit_account_id`` (a service may replace a
    user's hold only by another hold of the same user). Idempotent on ``transfer_id``; returns the
    new pending transfer. Locks both transfers' accounts in one ordered statement. Emits no events.
    """
    _require_uuid(transfer_id, "transfer_id")
    _require_uuid(replaces_id, "replaces_id")
    replaced = Transfer.objects.filter(id=replaces_id).first()
    if replaced is None:
        raise TransferNotFound("The hold to replace does not exist.", param="replaces_id")
    if replaced.kind != PENDING:
        raise TransferNotPending(param="replaces_id")
    if replaced.debit_account_id != debit_account_id:
        raise InvalidTransfer(
            "A hold can only be replaced by a hold on the same account.",
            code="replaced_hold_mismatch",
            param="replaces_id",
        )
    void = _prepare(TransferSpec.void(transfer_id=replacement_void_id(transfer_id), pending_id=replaces_id))
    new = _prepare(
        TransferSpec.pending_transfer(
            transfer_id=transfer_id,
            debit_account_id=debit_account_id,
            credit_account_id=credit_account_id,
            amount_koinu=amount_koinu,
            reason=reason,
            reference=reference,
            timeout_s=timeout_s,
        )
    )
    try:
        return _apply_group([void, new], name_members=False)[1]
    except ApiError as error:
        if error.param == "pending_id":
            error.param = "replaces_id"
        raise


@transaction.atomic
def transfers_create_linked(*, transfers: Sequence[TransferSpec]) -> list[Transfer]:
    """Apply a group of transfers all or none, in one database transaction; return them in order.

    Each transfer is checked as if alone, on the balances the earlier ones of the group left (so a
    group can e.g. post a hold and move the amount on, or credit an account and debit it again). The
    group's ``linked_group`` is its first transfer's id.

    Idempotent: if every id exists as recorded for this group, the recorded transfers are returned;
    if only some exist, or one differs, :class:`TransferConflict`. A refusal of any transfer raises
    it (its ``param`` prefixed with ``transfers.<index>``) and nothing of the group remains.

    Locks every account of the group in one ordered statement before applying the transfers, so
    groups and single transfers never deadlock. Emits no events.
    """
    if not transfers:
        raise InvalidTransfer("a linked group needs at least one transfer.", param="transfers")
    if len(transfers) > MAX_LINKED_TRANSFERS:
        raise InvalidTransfer(
            f"a linked group has at most {MAX_LINKED_TRANSFERS} transfers.", param="transfers"
        )
    items = [_prepare(spec) for spec in transfers]
    ids = [item.transfer_id for item in items]
    if len(set(ids)) != len(ids):
        raise InvalidTransfer("the transfers of a linked group need distinct ids.", param="transfers")
    return _apply_group(items, name_members=True)


def _apply_group(items: list[_Prepared], *, name_members: bool) -> list[Transfer]:
    group_id = items[0].transfer_id
    ids = [item.transfer_id for item in items]
    # Two rounds: a concurrent identical group can commit between our check and our first insert;
    # then our insert finds the id taken, we roll back to the savepoint and replay the group.
    for _ in range(2):
        existing = {transfer.id: transfer for transfer in Transfer.objects.filter(id__in=ids)}
        if existing:
            if len(existing) != len(items):
                raise TransferConflict(
                    "Some transfers of this linked group exist and others do not: the group differs "
                    "from the one recorded.",
                    param="transfers",
                )
            for item in items:
                if not _same_contents(existing[item.transfer_id], item, linked_group=group_id):
                    raise TransferConflict(param="transfers")
            if Transfer.objects.filter(linked_group=group_id).count() != len(items):
                raise TransferConflict(
                    "The recorded linked group has other members than this one.", param="transfers"
                )
            return [existing[item_id] for item_id in ids]
        try:
            with transaction.atomic():
                _lock_accounts(_group_account_ids(items))
                applied = []
                for index, item in enumerate(items):
                    try:
                        applied.append(_apply(item, linked_group=group_id))
                    except ApiError as error:
                        if name_members:
                            error.param = f"transfers.{index}" + (f".{error.param}" if error.param else "")
                        raise
                return applied
        except _AlreadyExists:
            continue
    raise TransferConflict(param="transfers")


def _group_account_ids(items: Sequence[_Prepared]) -> set[uuid.UUID]:
    """Every account the group touches, including those of the pending transfers it resolves."""
    account_ids: set[uuid.UUID] = set()
    in_group: dict[uuid.UUID, _Prepared] = {}
    outside: set[uuid.UUID] = set()
    for item in items:
        if item.debit_account_id is not None and item.credit_account_id is not None:
            account_ids.update((item.debit_account_id, item.credit_account_id))
            in_group[item.transfer_id] = item
        elif item.pending_id is not None and item.pending_id not in in_group:
            outside.add(item.pending_id)
    for debit, credit in Transfer.objects.filter(id__in=outside).values_list(
        "debit_account_id", "credit_account_id"
    ):
        account_ids.update((debit, credit))
    return account_ids


@transaction.atomic
def transfer_reverse(
    *,
    transfer_id: uuid.UUID,
    corrects_id: uuid.UUID,
    reason: str = "correction",
    amount_koinu: int | None = None,
    debit_account_id: uuid.UUID | None = None,
) -> Transfer:
    """Correct a posted transfer with a new, reversing one that points at it (``corrects``).

    By default the whole amount goes back: debit the original's credit account, credit the
    original's debit account. ``amount_koinu`` reverses part of it; ``debit_account_id`` takes the
    money from another account (e.g. ``suspense`` for the part of a reorged deposit the user already
    spent). All corrections of one transfer together never exceed its amount. Allowed on frozen
    accounts (a correction is the review's tool); a wallet still cannot go negative.

    Only ``single`` and ``post_pending`` transfers can be reversed (void a pending one instead).
    Idempotent on ``transfer_id``. Locks both accounts (id order) before summing the earlier
    corrections, so concurrent corrections of one transfer serialise. Emits no events.
    """
    _require_uuid(transfer_id, "transfer_id")
    _require_uuid(corrects_id, "corrects_id")
    original = Transfer.objects.filter(id=corrects_id).first()
    if original is None:
        raise TransferNotFound("The transfer to correct does not exist.", param="corrects_id")
    if original.kind not in (SINGLE, POST_PENDING):
        raise TransferNotReversible(param="corrects_id")
    debit = debit_account_id if debit_account_id is not None else original.credit_account_id
    item = replace(
        _prepare(
            TransferSpec(
                transfer_id=transfer_id,
                kind=SINGLE,
                debit_account_id=debit,
                credit_account_id=original.debit_account_id,
                amount_koinu=original.amount_koinu if amount_koinu is None else amount_koinu,
                reason=reason,
                reference=original.reference,
                corrects_id=corrects_id,
            )
        ),
        allow_frozen=True,
    )
    # Lock first, then look for the id: a concurrent identical correction has then either committed
    # (a replay) or not started, and the sum below sees every other correction of this transfer.
    _lock_accounts([debit, original.debit_account_id])
    if Transfer.objects.filter(id=transfer_id).exists():
        return _replay(item, linked_group=None)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(amount_koinu), 0) FROM ledger_transfer WHERE corrects_id = %s",
            [corrects_id],
        )
        row = cursor.fetchone()
    already_corrected = int(row[0]) if row else 0
    assert item.amount_koinu is not None
    if already_corrected + item.amount_koinu > original.amount_koinu:
        raise ReversalExceedsOriginal(param="amount_koinu")
    return _apply_or_replay(item)


def transfers_void_expired(*, now: datetime | None = None, batch_size: int = 500) -> int:
    """Void up to ``batch_size`` pending transfers whose timeout is at or before ``now``; return how many.

    Exactly once, even with several sweeps at the same time: candidates are locked
    ``FOR NO KEY UPDATE SKIP LOCKED`` (concurrent sweeps take disjoint batches), each void has the
    id :func:`~wallet_service.ledger.chart.expiry_void_id` of its pending transfer, and the partial
    UNIQUE index on ``pending_id`` admits one resolution per pending transfer (a post that wins the
    race leaves the sweep nothing to do). The voids have reason ``"expired"``.

    One transaction per batch: the candidates' accounts are locked in one ordered statement, then
    each void is one statement. Callers loop until it returns 0 (the Celery task does). Emits no events.
    """
    if now is None:
        now = timezone.now()
    if timezone.is_naive(now):
        raise ValueError("now must be timezone-aware")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT p.id, p.debit_account_id, p.credit_account_id
            FROM ledger_transfer AS p
            WHERE p.kind = 'pending' AND p.timeout_at IS NOT NULL AND p.timeout_at <= %(now)s
              AND NOT EXISTS (SELECT 1 FROM ledger_transfer AS r WHERE r.pending_id = p.id)
            ORDER BY p.timeout_at, p.id
            LIMIT %(limit)s
            FOR NO KEY UPDATE OF p SKIP LOCKED
            """,
            {"now": now, "limit": batch_size},
        )
        candidates = cursor.fetchall()
        if not candidates:
            return 0
        _lock_accounts(account for _, debit, credit in candidates for account in (debit, credit))
        voided = 0
        for pending_id, _, _ in candidates:
            item = _Prepared(
                transfer_id=expiry_void_id(pending_id),
                kind=VOID_PENDING,
                debit_account_id=None,
                credit_account_id=None,
                amount_koinu=None,
                reason=EXPIRED_REASON,
                reference=None,
                timeout_s=None,
                pending_id=pending_id,
                check_expiry=False,
            )
            try:
                with transaction.atomic():
                    _apply(item, linked_group=None)
            except (_AlreadyExists, PendingTransferAlreadyPosted, PendingTransferAlreadyVoided):
                continue  # resolved by someone else since we looked: nothing to do
            except PendingTransferExpired:
                continue  # another sweep voided it
            voided += 1
        return voided
