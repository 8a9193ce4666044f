"""Claiming, completing, releasing and purging Idempotency-Key records (PostgreSQL).

The protocol, for a request with a key in scope S and body fingerprint F:

1. ``idempotency_key_claim`` inserts (S, F, in_progress) with ``ON CONFLICT DO NOTHING`` in its own
   committed transaction. Inserted → this request owns the key and runs the view.
2. Not inserted → the row is taken over only if it is past its TTL, or is ``in_progress`` with the
   same F and its lock is stale (the process that claimed it died). Otherwise the caller gets the
   existing record: a different F is a reused key (422), ``in_progress`` is a concurrent duplicate
   (409), ``completed`` is replayed.
3. The owner stores the response (``idempotency_key_complete``) or, for responses a retry should
   re-execute (5xx, 401, 403, 429), deletes the row (``idempotency_key_release``).

Every statement is a single-row write keyed by the unique scope, so no lock is held across the view.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connections, transaction
from django.utils import timezone

from dbay_common.django.idempotency.models import IdempotencyRecord


@dataclass(frozen=True)
class IdempotencyScope:
    principal: str
    method: str
    path: str
    key: str


@dataclass(frozen=True)
class Claim:
    """Outcome of a claim: ``record_id`` set when this request owns the key, else ``existing``.

    ``locked_at`` identifies this claim of the record: if a stale claim is taken over, the original
    owner's late complete/release matches nothing instead of clobbering the new owner's claim.
    """

    record_id: int | None
    existing: IdempotencyRecord | None
    locked_at: datetime | None = None


def _table() -> str:
    return IdempotencyRecord._meta.db_table


def idempotency_key_claim(
    *,
    scope: IdempotencyScope,
    fingerprint: str,
    ttl_s: int,
    lock_timeout_s: int,
    using: str = "default",
) -> Claim:
    """Try to own ``scope`` for a request with body ``fingerprint`` (see the module docstring)."""
    connection = connections[using]
    table = connection.ops.quote_name(_table())
    scope_params = [scope.principal, scope.method, scope.path, scope.key]
    for _ in range(3):  # a release between our INSERT and SELECT frees the key: try again
        now = timezone.now()
        with transaction.atomic(using=using), connection.cursor() as cursor:
            cursor.execute(
                f"""
                INSERT INTO {table}
                    (principal, method, path, key, request_fingerprint, state, response_headers,
                     created_at, locked_at)
                VALUES (%s, %s, %s, %s, %s, 'in_progress', '[]'::jsonb, %s, %s)
                ON CONFLICT (principal, method, path, key) DO NOTHING
                RETURNING id
                """,  # noqa: S608 - the table name is our model's, values are parameters
                [*scope_params, fingerprint, now, now],
            )
            row = cursor.fetchone()
            if row is None:
                cursor.execute(
                    f"""
                    UPDATE {table}
                    SET request_fingerprint = %s, state = 'in_progress', response_status = NULL,
                        response_headers = '[]'::jsonb, response_body = NULL, created_at = %s,
                        locked_at = %s, completed_at = NULL
                    WHERE principal = %s AND method = %s AND path = %s AND key = %s
                      AND (created_at < %s
                           OR (state = 'in_progress' AND request_fingerprint = %s AND locked_at < %s))
                    RETURNING id
                    """,  # noqa: S608
                    [
                        fingerprint,
                        now,
                        now,
                        *scope_params,
                        now - timedelta(seconds=ttl_s),
                        fingerprint,
                        now - timedelta(seconds=lock_timeout_s),
                    ],
                )
                row = cursor.fetchone()
        if row is not None:
            return Claim(record_id=int(row[0]), existing=None, locked_at=now)
        existing = (
            IdempotencyRecord.objects.using(using)
            .filter(principal=scope.principal, method=scope.method, path=scope.path, key=scope.key)
            .first()
        )
        if existing is not None:
            return Claim(record_id=None, existing=existing)
    raise RuntimeError("idempotency key claim did not settle after 3 attempts")


def idempotency_key_complete(
    *,
    record_id: int,
    locked_at: datetime,
    status: int,
    headers: list[tuple[str, str]],
    body: bytes,
    using: str = "default",
) -> None:
    """Store the owner's response so later requests with the same key replay it."""
    IdempotencyRecord.objects.using(using).filter(
        id=record_id, locked_at=locked_at, state=IdempotencyRecord.State.IN_PROGRESS
    ).update(
        state=IdempotencyRecord.State.COMPLETED,
        response_status=status,
        response_headers=[[name, value] for name, value in headers],
        response_body=body,
        completed_at=timezone.now(),
    )


def idempotency_key_release(*, record_id: int, locked_at: datetime, using: str = "default") -> None:
    """Forget an in-progress claim so the client's retry executes again."""
    IdempotencyRecord.objects.using(using).filter(
        id=record_id, locked_at=locked_at, state=IdempotencyRecord.State.IN_PROGRESS
    ).delete()


def idempotency_records_purge(*, older_than: timedelta | datetime, using: str = "default") -> int:
    """Delete records created before ``older_than`` (an age, or an aware cutoff datetime)."""
    cutoff = timezone.now() - older_than if isinstance(older_than, timedelta) else older_than
    if timezone.is_naive(cutoff):
        raise ValueError("older_than must be timezone-aware")
    deleted, _ = IdempotencyRecord.objects.using(using).filter(created_at__lt=cutoff).delete()
    return deleted
