"""Transactional outbox on the MongoDB-wire store: the events travel inside the changed document.

FerretDB 1.24 has no multi-document transactions, so an event cannot be written to an outbox
collection "in the same transaction" as the change. Instead the event is written into the very
document that changes, by the same ``insert_one``/``update_one``: PostgreSQL stores that document as
one row, so the change and its events are committed together or not at all. Fields on an aggregate
document (all owned by this module; services never write them by hand):

``outbox``            the pending events, each the envelope's JSON text, in the order produced.
                      Text, not sub-documents: FerretDB compares, stores and ``$pullAll``s strings
                      exactly (it silently ignores ``$pull`` with a condition and refuses nested
                      arrays), and the relay republishes exactly what the producer built.
``outbox_pending``    ``True`` while ``outbox`` may hold events: the relay's query (equality, so
                      FerretDB pushes it down to PostgreSQL).
``outbox_next_at``    set after a failed publish: not retried before then (exponential backoff).
``outbox_attempts``, ``outbox_last_error``   the failure count and the last error, for operators.

The relay (:func:`outbox_relay`) takes each pending document's lock (:mod:`dbay_common.mongo.locks`),
re-reads it, publishes its events, then ``$pullAll``s exactly those texts and clears the flags when
nothing is left. A relay killed after publishing and before pulling leaves the events in place: they
are published again once the lock's lease expires (at least once, never lost). Producers that update
an existing document hold the same lock (:func:`outbox_update_one`), because FerretDB applies updates
as read-modify-write and would otherwise let the relay's pull and the producer's write overwrite each
other. ``docs/flask-outbox.md`` gives the full argument.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError
from pymongo import ASCENDING
from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.results import InsertOneResult, UpdateResult

from dbay_common.events.context import new_event
from dbay_common.events.envelope import Event
from dbay_common.events.retry import outbox_retry_delay_s
from dbay_common.mongo.locks import (
    DEFAULT_LEASE_S,
    DEFAULT_LOCKS_COLLECTION,
    document_lock,
    lock_id,
    try_lock,
)
from dbay_common.transports.base import EventPublisher

if TYPE_CHECKING:
    from dbay_common.mongo.relay import RelayKick

__all__ = [
    "OUTBOX_FIELDS",
    "EventSource",
    "check_no_outbox_fields",
    "ensure_outbox_indexes",
    "merge_update",
    "outbox_fields",
    "outbox_insert_one",
    "outbox_push",
    "outbox_relay",
    "outbox_retry_delay_s",
    "outbox_update_one",
]

logger = logging.getLogger(__name__)

OUTBOX = "outbox"
PENDING = "outbox_pending"
NEXT_AT = "outbox_next_at"
ATTEMPTS = "outbox_attempts"
LAST_ERROR = "outbox_last_error"
INVALID = "outbox_invalid"
OUTBOX_FIELDS = frozenset({OUTBOX, PENDING, NEXT_AT, ATTEMPTS, LAST_ERROR, INVALID})

_MAX_ERROR_CHARS = 2000

Document = dict[str, Any]


@dataclass(frozen=True)
class EventSource:
    """A service's event factory: ``EventSource(source="dbay.messaging", producer=SERVICE)``.

    :meth:`event` builds with :func:`~dbay_common.events.context.new_event`, so the correlation and
    causation ids of the request or handled event are filled in and ``data`` is checked against the
    registered schema; the caller then embeds the event with :func:`outbox_insert_one` or
    :func:`outbox_update_one`.
    """

    source: str
    producer: str

    def event(self, detail_type: str, data: Mapping[str, Any] | BaseModel, *, version: int = 1) -> Event:
        return new_event(
            source=self.source, producer=self.producer, detail_type=detail_type, data=data, version=version
        )


# -- producer side ----------------------------------------------------------------------------------


def outbox_fields(*events: Event) -> Document:
    """The fields that put ``events`` into a document about to be inserted."""
    if not events:
        return {}
    return {OUTBOX: [event.to_json() for event in events], PENDING: True}


def outbox_push(*events: Event) -> Document:
    """The update fragment that appends ``events`` to an existing document's outbox."""
    if not events:
        return {}
    return {"$push": {OUTBOX: {"$each": [event.to_json() for event in events]}}, "$set": {PENDING: True}}


def merge_update(update: Mapping[str, Any], fragment: Mapping[str, Any]) -> Document:
    """``update`` with ``fragment``'s operators added; a field written by both is refused."""
    merged: Document = {operator: dict(fields) for operator, fields in update.items()}
    for operator, fields in fragment.items():
        target = merged.setdefault(operator, {})
        for name, value in fields.items():
            if name in target:
                raise ValueError(f"the update already writes {name!r}, which the outbox owns")
            target[name] = value
    return merged


def check_no_outbox_fields(names: Iterable[str]) -> None:
    """Refuse a caller's write to a field the outbox owns (it would corrupt the relay's state)."""
    touched = OUTBOX_FIELDS.intersection(name.split(".", 1)[0] for name in names)
    if touched:
        raise ValueError(f"only dbay_common.mongo.outbox writes {sorted(touched)}")


def outbox_insert_one(
    collection: Collection[Document],
    document: Mapping[str, Any],
    *events: Event,
    kick: RelayKick | None = None,
) -> InsertOneResult:
    """Insert ``document`` with ``events`` inside it: both exist, or (on any error) neither.

    No lock is needed: nobody else can write a document before it exists. ``kick`` (optional) wakes
    the relay after the insert; the relay's polling publishes the events anyway.
    """
    check_no_outbox_fields(document)
    result = collection.insert_one({**document, **outbox_fields(*events)})
    if kick is not None and events:
        kick.kick()
    return result


def outbox_update_one(
    collection: Collection[Document],
    document_id: Any,
    update: Mapping[str, Any],
    *events: Event,
    locks: Collection[Any],
    conditions: Mapping[str, Any] | None = None,
    kick: RelayKick | None = None,
    lease_s: float = DEFAULT_LEASE_S,
    wait_s: float = 10.0,
) -> UpdateResult:
    """Apply ``update`` to document ``document_id`` and append ``events`` to its outbox, in one write.

    Holds the document's lock (``locks``: the service's locks collection) for that write, so neither
    a concurrent producer nor the relay can overwrite it on FerretDB; ``conditions`` narrow the filter
    and are evaluated under the lock, hence reliable (``{"state": "open"}``). When nothing matches,
    nothing is written and no event exists (``matched_count == 0``). Raises
    :class:`~dbay_common.mongo.locks.LockTimeoutError` if the lock stays busy for ``wait_s``.
    """
    for fields in update.values():
        check_no_outbox_fields(fields)
    merged = merge_update(update, outbox_push(*events))
    with document_lock(locks, collection, document_id, lease_s=lease_s, wait_s=wait_s):
        result = collection.update_one({**(conditions or {}), "_id": document_id}, merged)
    if kick is not None and events and result.matched_count:
        kick.kick()
    return result


def ensure_outbox_indexes(collection: Collection[Document]) -> None:
    """Index ``outbox_pending`` (the relay's query). FerretDB has no partial indexes, so it is a plain
    index; on MongoDB proper it could be partial on ``{outbox_pending: true}``."""
    collection.create_index([(PENDING, ASCENDING)], name="dbay_outbox_pending")


# -- relay side -------------------------------------------------------------------------------------


def _due_filter(now: datetime) -> Document:
    return {PENDING: True, "$or": [{NEXT_AT: {"$exists": False}}, {NEXT_AT: {"$lte": now}}]}


@dataclass
class _Claimed:
    collection: Collection[Document]
    document_id: Any
    texts: list[str]
    events: list[Event]


def _claim(
    collection: Collection[Document],
    locks: Collection[Any],
    document_id: Any,
    *,
    now: datetime,
    lease_s: float,
) -> tuple[_Claimed | None, Any]:
    """Lock one due document and read its events under the lock; ``(None, None)`` when busy or done."""
    lock = try_lock(locks, lock_id(collection, document_id), lease_s=lease_s)
    if lock is None:
        return None, None
    document = collection.find_one({**_due_filter(now), "_id": document_id})
    texts: list[str] = list(document.get(OUTBOX) or []) if document else []
    if document is None or not texts:
        if document is not None:  # flagged with nothing left (a relay died before clearing the flag)
            collection.update_one({"_id": document_id, OUTBOX: {"$size": 0}}, {"$unset": {PENDING: ""}})
        lock.release()
        return None, None
    events: list[Event] = []
    valid: list[str] = []
    for text in texts:
        try:
            events.append(Event.from_json(text))
            valid.append(text)
        except ValidationError as exc:
            # A document can never be fixed by retrying; set it aside so it blocks nothing.
            logger.error("outbox of %s %s holds an invalid event: %s", collection.name, document_id, exc)
            collection.update_one(
                {"_id": document_id}, {"$pullAll": {OUTBOX: [text]}, "$push": {INVALID: text}}
            )
    return _Claimed(collection, document_id, valid, events), lock


def _record_success(claimed: _Claimed) -> None:
    collection, document_id = claimed.collection, claimed.document_id
    collection.update_one(
        {"_id": document_id},
        {"$pullAll": {OUTBOX: claimed.texts}, "$unset": {NEXT_AT: "", ATTEMPTS: "", LAST_ERROR: ""}},
    )
    # Events appended since our read stay; the flag is cleared only once the outbox is empty.
    collection.update_one({"_id": document_id, OUTBOX: {"$size": 0}}, {"$unset": {PENDING: "", OUTBOX: ""}})


def _record_failure(claimed: _Claimed, error: str, now: datetime) -> None:
    document = claimed.collection.find_one({"_id": claimed.document_id}) or {}
    attempts = int(document.get(ATTEMPTS) or 0) + 1
    claimed.collection.update_one(
        {"_id": claimed.document_id},
        {
            "$set": {
                ATTEMPTS: attempts,
                NEXT_AT: now + timedelta(seconds=outbox_retry_delay_s(attempts)),
                LAST_ERROR: error[:_MAX_ERROR_CHARS],
            }
        },
    )


def outbox_relay(
    *,
    database: Database[Document],
    collections: Sequence[str],
    publisher: EventPublisher,
    batch_size: int = 100,
    lease_s: float = DEFAULT_LEASE_S,
    locks_collection: str = DEFAULT_LOCKS_COLLECTION,
) -> int:
    """Publish the events of up to ``batch_size`` due documents in one ``publish``; return how many.

    For each due document: take its lock (skipping documents another relay or a producer holds, so
    concurrent relays publish disjoint documents), re-read it under the lock, then publish every event
    of every claimed document in one call. After ``publish`` returns, each document's published texts
    are ``$pullAll``ed and its flags cleared once empty, only while its lock is still ours (a relay
    that stalled past the lease leaves the document to whoever took it over: at least once). If
    ``publish`` raises, each document gets ``outbox_attempts + 1``, ``outbox_last_error`` and an
    ``outbox_next_at`` in the future; the error is logged, not raised, because the retry is the
    answer to it. Locks are released before returning, whatever happened.
    """
    now = datetime.now(UTC)
    locks = database[locks_collection]
    claimed: list[tuple[_Claimed, Any]] = []
    try:
        for name in collections:
            collection = database[name]
            remaining = batch_size - len(claimed)
            if remaining <= 0:
                break
            candidates = [
                doc["_id"] for doc in collection.find(_due_filter(now), {"_id": 1}).limit(remaining)
            ]
            for document_id in candidates:
                item, lock = _claim(collection, locks, document_id, now=now, lease_s=lease_s)
                if item is not None:
                    claimed.append((item, lock))
        events = [event for item, _lock in claimed for event in item.events]
        if not events:
            return 0
        try:
            publisher.publish(events)
        except Exception as exc:
            logger.warning("outbox relay could not publish %d events: %r", len(events), exc, exc_info=True)
            for item, _lock in claimed:
                _record_failure(item, repr(exc), now)
            return 0
        published = 0
        for item, lock in claimed:
            if not lock.is_held():
                logger.warning(
                    "lost the lock of %s %s while publishing", item.collection.name, item.document_id
                )
                continue
            _record_success(item)
            published += len(item.events)
        return published
    finally:
        for _item, lock in claimed:
            lock.release()
