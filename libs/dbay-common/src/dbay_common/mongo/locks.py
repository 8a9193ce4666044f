"""Per-document locks on the MongoDB-wire store, built from the only atomic operations FerretDB has.

Why they exist: FerretDB 1.24 on PostgreSQL applies ``update_one`` and ``find_one_and_update`` by
reading the document, applying the operators in Go and writing the whole document back with
``UPDATE ... WHERE _id = $1``. Two concurrent updates of one document therefore lose one of them
(measured: 16 concurrent ``$inc`` of 1 left 2; 15 of 16 ``find_one_and_update`` "claims" won), and a
filter such as ``{"applied_events": {"$ne": key}}`` does not make an update conditional under
concurrency. What *is* atomic is a PostgreSQL row operation: ``insert_one`` against a unique index
(one of N racing inserts succeeds, the rest get ``DuplicateKeyError``) and ``delete_one`` (one of N
racing deletes reports ``deleted_count == 1``).

A lock is one document ``{_id: "<collection>:<document id>", token, expires_at}`` in a locks
collection: acquiring inserts it, releasing deletes it by ``(_id, token)``. Every writer of a document
that must not lose updates (the producer changing an aggregate with its outbox, the relay pulling
published events, an inbox update) holds the document's lock for one read and one write, so those
writes are serialized as MongoDB serializes single-document updates.

Expiry: a holder that dies leaves its lock until ``expires_at``; the next acquirer deletes an expired
lock and inserts its own. Two acquirers racing over one *expired* lock can both succeed (each delete
is by ``_id`` after FerretDB evaluated the filter on its own read), so the lease must be much longer
than the work done under the lock (one read, one publish bounded by the bus timeout, one write); the
outbox tolerates that rare case by publishing at least once, the inbox by its unique ids.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError

__all__ = ["DEFAULT_LOCKS_COLLECTION", "DocumentLock", "LockTimeoutError", "document_lock", "lock_id"]

DEFAULT_LOCKS_COLLECTION = "document_locks"
#: How long a lock outlives a holder that died; far above one publish (the bus times out in 5 s).
DEFAULT_LEASE_S = 30.0
_POLL_S = 0.02


class LockTimeoutError(RuntimeError):
    """The document stayed locked by someone else for longer than the caller was willing to wait."""


def lock_id(collection: Collection[Any], document_id: Any) -> str:
    """The lock's ``_id``: the locked collection's name and the document's id."""
    return f"{collection.name}:{document_id}"


@dataclass(frozen=True)
class DocumentLock:
    """A held lock; ``token`` identifies this holder so releasing never deletes someone else's lock."""

    locks: Collection[Any]
    key: str
    token: str

    def is_held(self) -> bool:
        """Whether the lock document is still ours (it is not once it expired and was taken over)."""
        return self.locks.count_documents({"_id": self.key, "token": self.token}, limit=1) == 1

    def release(self) -> None:
        self.locks.delete_one({"_id": self.key, "token": self.token})


def try_lock(locks: Collection[Any], key: str, *, lease_s: float = DEFAULT_LEASE_S) -> DocumentLock | None:
    """Take the lock now if it is free or expired; ``None`` if someone holds it."""
    for _ in range(2):
        now = datetime.now(UTC)
        token = uuid.uuid4().hex
        try:
            locks.insert_one({"_id": key, "token": token, "expires_at": now + timedelta(seconds=lease_s)})
            return DocumentLock(locks=locks, key=key, token=token)
        except DuplicateKeyError:
            pass
        # Held: take it over only if its holder's lease ran out (that holder died or stalled).
        if locks.delete_one({"_id": key, "expires_at": {"$lt": now}}).deleted_count != 1:
            return None
    return None


@contextmanager
def document_lock(
    locks: Collection[Any],
    collection: Collection[Any],
    document_id: Any,
    *,
    lease_s: float = DEFAULT_LEASE_S,
    wait_s: float = 10.0,
) -> Iterator[DocumentLock]:
    """Hold the lock of ``collection``'s document ``document_id`` for the body.

    Waits up to ``wait_s`` (polling) while someone else holds it, then raises
    :class:`LockTimeoutError`. The body should be one read and one write: the lock is released when
    it ends, raised or not.
    """
    key = lock_id(collection, document_id)
    deadline = time.monotonic() + wait_s
    while (held := try_lock(locks, key, lease_s=lease_s)) is None:
        if time.monotonic() >= deadline:
            raise LockTimeoutError(f"{key} stayed locked for more than {wait_s} s")
        time.sleep(_POLL_S)
    try:
        yield held
    finally:
        held.release()
