"""Reads of the ledger: functions that query and return data, never change it."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from django.db import connection, transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery

from dbay_common.drf.pagination import keyset_filter
from dbay_common.errors import InvalidRequest
from wallet_service.ledger.chart import EXPIRED_REASON, PLATFORM_ACCOUNT_IDS, user_wallet_account_id
from wallet_service.ledger.errors import AccountNotFound, TransferNotFound
from wallet_service.ledger.models import Account, Transfer
from wallet_service.ledger.policy import reason_check

PLATFORM_CODES_BY_ID: dict[uuid.UUID, str] = {
    account_id: code for code, account_id in PLATFORM_ACCOUNT_IDS.items()
}


# -- balances ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Balance:
    """The four counters of an account and what follows from them (docs/ledger.md §2)."""

    account_id: uuid.UUID
    debits_posted: int
    credits_posted: int
    debits_pending: int
    credits_pending: int

    @property
    def posted(self) -> int:
        """Net posted balance: ``credits_posted - debits_posted`` (negative for custody)."""
        return self.credits_posted - self.debits_posted

    @property
    def available(self) -> int:
        """What can be spent: ``credits_posted - debits_posted - debits_pending``."""
        return self.credits_posted - self.debits_posted - self.debits_pending

    @property
    def held(self) -> int:
        """Reserved by open pending transfers out of the account: ``debits_pending``."""
        return self.debits_pending

    @property
    def counters(self) -> tuple[int, int, int, int]:
        return (self.debits_posted, self.credits_posted, self.debits_pending, self.credits_pending)


def account_balance(*, account_id: uuid.UUID) -> Balance:
    """The account's balance as stored (one row read). Raises :class:`AccountNotFound`."""
    row = (
        Account.objects.filter(id=account_id)
        .values_list("debits_posted", "credits_posted", "debits_pending", "credits_pending")
        .first()
    )
    if row is None:
        raise AccountNotFound(param="account_id")
    return Balance(account_id, *row)


@dataclass(frozen=True)
class Hold:
    """An open pending transfer out of a wallet: what holds part of the balance, and why."""

    transfer_id: uuid.UUID
    amount_koinu: int
    reason: str
    reference: dict[str, Any]
    holding_account: str
    created_at: datetime
    expires_at: datetime | None


@dataclass(frozen=True)
class UserBalances:
    """A user's three balances (koinu) and the open holds that make up ``held_koinu``."""

    user_id: uuid.UUID
    available_koinu: int
    held_koinu: int
    incoming_koinu: int
    is_frozen: bool
    holds: list[Hold] = field(default_factory=list)

    @property
    def held_by_reason(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for hold in self.holds:
            totals[hold.reason] = totals.get(hold.reason, 0) + hold.amount_koinu
        return totals


def user_balances(*, user_id: uuid.UUID) -> UserBalances:
    """Available, held (with the open holds behind it) and incoming for ``user_id``.

    The wallet's counters and its open holds are read in one statement, so the holds always add up
    to ``held_koinu``. A user without a wallet account has zero everywhere. ``incoming_koinu`` is
    :func:`incoming_koinu_for_user`.
    """
    account_id = user_wallet_account_id(user_id)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT a.credits_posted - a.debits_posted - a.debits_pending, a.debits_pending, a.is_frozen,
                   p.id, p.amount_koinu, p.reason, p.reference, p.credit_account_id, p.created_at,
                   p.timeout_at
            FROM ledger_account AS a
            LEFT JOIN LATERAL (
                SELECT h.id, h.amount_koinu, h.reason, h.reference, h.credit_account_id, h.created_at,
                       h.timeout_at
                FROM ledger_transfer AS h
                WHERE h.debit_account_id = a.id AND h.kind = 'pending'
                  AND NOT EXISTS (SELECT 1 FROM ledger_transfer AS r WHERE r.pending_id = h.id)
            ) AS p ON true
            WHERE a.id = %s
            ORDER BY p.created_at, p.id
            """,
            [account_id],
        )
        rows = cursor.fetchall()
    incoming = incoming_koinu_for_user(user_id=user_id)
    if not rows:
        return UserBalances(user_id, 0, 0, incoming, False, [])
    available, held, is_frozen = rows[0][0], rows[0][1], rows[0][2]
    holds = [
        Hold(
            transfer_id=row[3],
            amount_koinu=row[4],
            reason=row[5],
            reference=_json(row[6]),
            holding_account=account_label(row[7]),
            created_at=row[8],
            expires_at=row[9],
        )
        for row in rows
        if row[3] is not None
    ]
    return UserBalances(user_id, available, held, incoming, is_frozen, holds)


def _json(value: Any) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(value) if isinstance(value, str | bytes) else value
    return loaded


def account_label(account_id: uuid.UUID) -> str:
    """What a user may see of a counterparty: the platform account's code, or ``"user"``."""
    return PLATFORM_CODES_BY_ID.get(account_id, "user")


#: What reports a user's incoming funds (deposits seen, not yet credited): the ledger does not know
#: them. The app that does registers a function here at start (the chain app, in its ``ready()``), so
#: the ledger never depends on it.
class IncomingKoinuSource(Protocol):
    def __call__(self, *, user_id: uuid.UUID) -> int: ...


_incoming_sources: list[IncomingKoinuSource] = []


def incoming_source_register(source: IncomingKoinuSource) -> None:
    """Count ``source(user_id=...)`` in every user's incoming balance (registering twice counts once)."""
    if source not in _incoming_sources:
        _incoming_sources.append(source)


def incoming_koinu_for_user(*, user_id: uuid.UUID) -> int:
    """Incoming funds of ``user_id``: the sum of the registered sources (0 when none is)."""
    return sum(int(source(user_id=user_id)) for source in _incoming_sources)


# -- transfers -----------------------------------------------------------------------------------------


def pending_state(
    *, timeout_at: datetime | None, resolution_kind: str | None, resolution_reason: str | None, now: datetime
) -> str:
    """``pending``, ``posted``, ``voided`` or ``expired``: derived from the resolving transfer, if any.

    A pending transfer past its timeout is ``expired`` even before the sweep writes its void: it
    can no longer be posted or voided.
    """
    if resolution_kind is not None:
        if resolution_kind == Transfer.Kind.POST_PENDING:
            return "posted"
        return "expired" if resolution_reason == EXPIRED_REASON else "voided"
    if timeout_at is not None and timeout_at <= now:
        return "expired"
    return "pending"


@dataclass(frozen=True)
class PendingTransferState:
    """A pending transfer with its derived state and the post or void that resolved it, if any."""

    pending: Transfer
    state: str
    resolution: Transfer | None
    onward: Transfer | None

    @property
    def posted_koinu(self) -> int:
        if self.resolution is None or self.resolution.kind != Transfer.Kind.POST_PENDING:
            return 0
        return self.resolution.amount_koinu

    @property
    def released_koinu(self) -> int:
        if self.resolution is None:
            return 0
        return self.pending.amount_koinu - self.posted_koinu


def pending_transfer_state(*, transfer_id: uuid.UUID, now: datetime) -> PendingTransferState:
    """A pending transfer, its state, its resolution and (for a redirected post) the onward transfer.

    Raises :class:`TransferNotFound` when ``transfer_id`` is not a pending transfer.
    """
    pending = (
        Transfer.objects.select_related("debit_account", "credit_account")
        .filter(id=transfer_id, kind=Transfer.Kind.PENDING)
        .first()
    )
    if pending is None:
        raise TransferNotFound(param="hold_id")
    resolution = Transfer.objects.filter(pending_id=transfer_id).first()
    onward = None
    if resolution is not None and resolution.linked_group is not None:
        onward = (
            Transfer.objects.select_related("credit_account")
            .filter(linked_group=resolution.linked_group, kind=Transfer.Kind.SINGLE)
            .exclude(id=resolution.id)
            .first()
        )
    state = pending_state(
        timeout_at=pending.timeout_at,
        resolution_kind=resolution.kind if resolution else None,
        resolution_reason=resolution.reason if resolution else None,
        now=now,
    )
    return PendingTransferState(pending, state, resolution, onward)


@dataclass(frozen=True)
class HistoryEntry:
    """One transfer as the wallet's owner sees it."""

    id: uuid.UUID
    kind: str
    #: ``in``: credited to the wallet; ``out``: debited from it.
    direction: str
    amount_koinu: int
    #: For a hold (kind pending): still pending, posted, voided or expired; else posted/voided/expired.
    status: str
    reason: str
    reference: dict[str, Any]
    #: The other side: a platform account's code, or ``user`` (no other user's id is shown).
    counterparty: str
    pending_id: uuid.UUID | None
    created_at: datetime
    #: The row's effect on the wallet, signed (see ``_signed_amount``).
    signed_amount_koinu: int = 0


@dataclass(frozen=True)
class HistoryPage:
    data: list[HistoryEntry]
    has_more: bool


HISTORY_ORDERING = ("-created_at", "-id")
REVERSED_HISTORY_ORDERING = ("created_at", "id")


def _history_status(transfer: Transfer, *, now: datetime) -> str:
    if transfer.kind == Transfer.Kind.PENDING:
        return pending_state(
            timeout_at=transfer.timeout_at,
            resolution_kind=getattr(transfer, "resolution_kind", None),
            resolution_reason=getattr(transfer, "resolution_reason", None),
            now=now,
        )
    if transfer.kind == Transfer.Kind.VOID_PENDING:
        return "expired" if transfer.reason == EXPIRED_REASON else "voided"
    return "posted"


def _signed_amount(transfer: Transfer, *, account_id: uuid.UUID, now: datetime, is_activity: bool) -> int:
    """The row's effect on the wallet (available + held), signed; each koinu counted on one row only.

    A single or post moves its amount; a void moves nothing (it only releases a hold). A hold counts
    its amount while pending; once resolved, its post carries the amount (every transfer) or, in
    the activity view where the post is folded into it, the hold carries the posted amount.
    """
    sign = 1 if transfer.credit_account_id == account_id else -1
    if transfer.kind == Transfer.Kind.VOID_PENDING:
        return 0
    if transfer.kind != Transfer.Kind.PENDING:
        return sign * transfer.amount_koinu
    state = _history_status(transfer, now=now)
    if state == "pending":
        return sign * transfer.amount_koinu
    if state == "posted" and is_activity:
        return sign * int(getattr(transfer, "resolution_amount", None) or transfer.amount_koinu)
    return 0


def transfer_history(
    *,
    user_id: uuid.UUID,
    limit: int,
    starting_after: str | None = None,
    ending_before: str | None = None,
    reason: str | None = None,
    now: datetime,
    is_activity: bool = False,
) -> HistoryPage:
    """Every transfer touching the user's wallet, newest first, one page (keyset pagination).

    ``is_activity``: one row per movement, as a user reads a statement. A hold and the post or void
    that resolved it are one row (the hold's, with its state: a withdrawal is one row, ``pending``
    while on its way, ``posted`` once paid, ``voided`` if it failed or was rejected); the resolving
    transfers are left out. ``signed_amount_koinu`` then gives the hold's effect (see HistoryEntry).

    ``reason`` filters by reason code (400 ``invalid_reason`` if it is not one). A cursor must be the
    id of a transfer in this same list, or the request is a 400 ``invalid_cursor``. Each entry's
    status is derived at ``now`` from the post or void that resolved it, if any.
    """
    if reason is not None:
        reason_check(reason, reserved=frozenset())
    account_id = user_wallet_account_id(user_id)
    resolutions = Transfer.objects.filter(pending_id=OuterRef("id"))
    queryset: QuerySet[Transfer] = Transfer.objects.filter(
        Q(debit_account_id=account_id) | Q(credit_account_id=account_id)
    ).annotate(
        resolution_kind=Subquery(resolutions.values("kind")[:1]),
        resolution_reason=Subquery(resolutions.values("reason")[:1]),
        resolution_amount=Subquery(resolutions.values("amount_koinu")[:1]),
    )
    if is_activity:
        queryset = queryset.exclude(kind__in=[Transfer.Kind.POST_PENDING, Transfer.Kind.VOID_PENDING])
    if reason is not None:
        queryset = queryset.filter(reason=reason)
    is_backwards = ending_before is not None
    anchor_id = ending_before if is_backwards else starting_after
    if anchor_id is not None:
        param = "ending_before" if is_backwards else "starting_after"
        try:
            anchor = queryset.filter(id=uuid.UUID(str(anchor_id))).values("created_at", "id").first()
        except ValueError:
            anchor = None
        if anchor is None:
            raise InvalidRequest(
                f"{param} must be the id of a transfer in this list.", code="invalid_cursor", param=param
            )
        queryset = queryset.filter(keyset_filter(HISTORY_ORDERING, anchor, is_after=not is_backwards))
    # Backwards: walk from the anchor towards newer items, then put the page back in order.
    queryset = queryset.order_by(*(REVERSED_HISTORY_ORDERING if is_backwards else HISTORY_ORDERING))
    rows = list(queryset[: limit + 1])
    has_more = len(rows) > limit
    rows = rows[:limit]
    if is_backwards:
        rows.reverse()
    entries = [
        HistoryEntry(
            id=transfer.id,
            kind=transfer.kind,
            direction="in" if transfer.credit_account_id == account_id else "out",
            amount_koinu=transfer.amount_koinu,
            status=_history_status(transfer, now=now),
            reason=transfer.reason,
            reference=transfer.reference,
            counterparty=account_label(
                transfer.debit_account_id
                if transfer.credit_account_id == account_id
                else transfer.credit_account_id
            ),
            pending_id=transfer.pending_id,
            created_at=transfer.created_at,
            signed_amount_koinu=_signed_amount(
                transfer, account_id=account_id, now=now, is_activity=is_activity
            ),
        )
        for transfer in rows
    ]
    return HistoryPage(entries, has_more)


# -- audit ---------------------------------------------------------------------------------------------


def ledger_sum() -> int:
    """Sum of all posted balances (``credits_posted - debits_posted``); always 0."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(sum(credits_posted - debits_posted), 0) FROM ledger_account")
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def ledger_pending_sum() -> int:
    """Sum of all pending balances (``credits_pending - debits_pending``); always 0."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(sum(credits_pending - debits_pending), 0) FROM ledger_account")
        row = cursor.fetchone()
    return int(row[0]) if row else 0


# The effect of every transfer on the counters of its two accounts. A post or void releases the
# pending transfer's full amount (taken from the pending transfer, not from the post/void row).
_EFFECTS_SQL = """
SELECT t.debit_account_id AS account_id,
       CASE WHEN t.kind IN ('single', 'post_pending') THEN t.amount_koinu ELSE 0 END AS debits_posted,
       0::bigint AS credits_posted,
       CASE t.kind WHEN 'pending' THEN t.amount_koinu
                   WHEN 'single' THEN 0 ELSE -p.amount_koinu END AS debits_pending,
       0::bigint AS credits_pending
FROM ledger_transfer AS t LEFT JOIN ledger_transfer AS p ON p.id = t.pending_id
{where_debit}
UNION ALL
SELECT t.credit_account_id,
       0::bigint,
       CASE WHEN t.kind IN ('single', 'post_pending') THEN t.amount_koinu ELSE 0 END,
       0::bigint,
       CASE t.kind WHEN 'pending' THEN t.amount_koinu
                   WHEN 'single' THEN 0 ELSE -p.amount_koinu END
FROM ledger_transfer AS t LEFT JOIN ledger_transfer AS p ON p.id = t.pending_id
{where_credit}
"""


def account_replay(*, account_id: uuid.UUID) -> Balance:
    """The account's four counters recomputed from its transfers alone (for tests and the audit)."""
    sql = f"""
        SELECT coalesce(sum(debits_posted), 0), coalesce(sum(credits_posted), 0),
               coalesce(sum(debits_pending), 0), coalesce(sum(credits_pending), 0)
        FROM ({
        _EFFECTS_SQL.format(
            where_debit="WHERE t.debit_account_id = %(account)s",
            where_credit="WHERE t.credit_account_id = %(account)s",
        )
    }) AS effects
    """  # noqa: S608 - constant SQL
    with connection.cursor() as cursor:
        cursor.execute(sql, {"account": account_id})
        row = cursor.fetchone()
    assert row is not None
    return Balance(account_id, *(int(value) for value in row))


@dataclass(frozen=True)
class AuditFinding:
    check: str
    detail: str


def ledger_audit_findings() -> list[AuditFinding]:
    """Everything that contradicts the ledger's invariants; empty when the ledger is sound.

    Checks, in one consistent snapshot (REPEATABLE READ): posted and pending balances each sum to
    zero; every account's counters equal the replay of its transfers; no wallet is negative; every
    post/void names a pending transfer, moves between its accounts, posts at most its amount and
    voids exactly its amount; corrections never exceed the transfer they correct.
    """
    findings: list[AuditFinding] = []
    is_own_transaction = not connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        if is_own_transaction:
            # Read everything in one snapshot (inside a caller's transaction, the caller decides).
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        cursor.execute(
            "SELECT coalesce(sum(credits_posted - debits_posted), 0), "
            "coalesce(sum(credits_pending - debits_pending), 0) FROM ledger_account"
        )
        posted_sum, pending_sum = cursor.fetchone() or (0, 0)
        if posted_sum != 0:
            findings.append(AuditFinding("ledger_sum", f"posted balances sum to {posted_sum}, not 0"))
        if pending_sum != 0:
            findings.append(
                AuditFinding("ledger_pending_sum", f"pending balances sum to {pending_sum}, not 0")
            )
        cursor.execute(
            f"""
            WITH replay AS (
                SELECT account_id, sum(debits_posted) AS dp, sum(credits_posted) AS cp,
                       sum(debits_pending) AS dq, sum(credits_pending) AS cq
                FROM ({_EFFECTS_SQL.format(where_debit="", where_credit="")}) AS effects
                GROUP BY account_id
            )
            SELECT a.id, a.code, a.user_id,
                   a.debits_posted, a.credits_posted, a.debits_pending, a.credits_pending,
                   coalesce(r.dp, 0), coalesce(r.cp, 0), coalesce(r.dq, 0), coalesce(r.cq, 0)
            FROM ledger_account AS a LEFT JOIN replay AS r ON r.account_id = a.id
            WHERE (a.debits_posted, a.credits_posted, a.debits_pending, a.credits_pending)
                  IS DISTINCT FROM
                  (coalesce(r.dp, 0), coalesce(r.cp, 0), coalesce(r.dq, 0), coalesce(r.cq, 0))
            ORDER BY a.id
            """  # noqa: S608 - constant SQL
        )
        for row in cursor.fetchall():
            findings.append(
                AuditFinding(
                    "account_replay",
                    f"account {row[0]} ({row[1]}{' of user ' + str(row[2]) if row[2] else ''}): stored "
                    f"{tuple(row[3:7])} != replayed {tuple(int(v) for v in row[7:11])} "
                    "(debits_posted, credits_posted, debits_pending, credits_pending)",
                )
            )
        cursor.execute(
            """
            SELECT id, credits_posted - debits_posted - debits_pending FROM ledger_account
            WHERE debits_must_not_exceed_credits AND debits_posted + debits_pending > credits_posted
            """
        )
        for account_id, available in cursor.fetchall():
            findings.append(AuditFinding("no_overdraft", f"account {account_id} is overdrawn: {available}"))
        cursor.execute(
            """
            SELECT t.id, t.kind, p.kind, t.amount_koinu, p.amount_koinu
            FROM ledger_transfer AS t JOIN ledger_transfer AS p ON p.id = t.pending_id
            WHERE p.kind <> 'pending'
               OR t.debit_account_id <> p.debit_account_id OR t.credit_account_id <> p.credit_account_id
               OR (t.kind = 'post_pending' AND t.amount_koinu > p.amount_koinu)
               OR (t.kind = 'void_pending' AND t.amount_koinu <> p.amount_koinu)
            """
        )
        for row in cursor.fetchall():
            findings.append(
                AuditFinding("resolution", f"transfer {row[0]} ({row[1]}) does not fit its pending {row}")
            )
        cursor.execute(
            """
            SELECT o.id, o.amount_koinu, sum(c.amount_koinu)
            FROM ledger_transfer AS c JOIN ledger_transfer AS o ON o.id = c.corrects_id
            GROUP BY o.id, o.amount_koinu
            HAVING sum(c.amount_koinu) > o.amount_koinu
            """
        )
        for row in cursor.fetchall():
            findings.append(
                AuditFinding("corrections", f"transfer {row[0]} of {row[1]} corrected by {row[2]}")
            )
    return findings


def transfer_get(*, transfer_id: uuid.UUID) -> Transfer:
    transfer = Transfer.objects.filter(id=transfer_id).first()
    if transfer is None:
        raise TransferNotFound(param="transfer_id")
    return transfer
