"""Idempotent event handling on the MongoDB-wire store: the proof of handling lives in the effect.

Without transactions, an inbox record in one collection and an effect in another can never be
written together: a process killed between them either repeats the effect or loses it. So the record
of "``consumer`` handled ``event``" is made part of the effect's own single write:

* an effect that **creates** a document (a notification, a message) gives it an ``_id`` derived from
  ``(consumer, event_id)`` (:func:`inbox_insert_one`). The unique ``_id`` index, which FerretDB
  enforces atomically, lets exactly one insert succeed however often or concurrently the event comes.
* an effect that **changes** a document appends ``"<consumer>:<event_id>"`` to the document's
  ``applied_events`` in the same ``update_one``, filtered on ``applied_events`` not holding it yet
  (:func:`inbox_update_one`). FerretDB evaluates that filter on a read that a concurrent write can
  overtake, so the update runs under the document's lock (:mod:`dbay_common.mongo.locks`).

:class:`MongoInbox` is the ``dedupe`` to give ``run_consumer``: it skips events already recorded in
its collection and records each after its handler returned. It saves work; the guarantee comes from
the two helpers above, which handlers must use for every write (see ``docs/flask-outbox.md`` for
effects that touch two documents or the outside world).
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError

from dbay_common.events.envelope import Event
from dbay_common.mongo.locks import DEFAULT_LEASE_S, document_lock
from dbay_common.mongo.outbox import check_no_outbox_fields, merge_update, outbox_fields, outbox_push
from dbay_common.transports.base import EventHandler

if TYPE_CHECKING:
    from dbay_common.mongo.relay import RelayKick

__all__ = [
    "APPLIED_EVENTS",
    "APPLIED_EVENTS_KEPT",
    "MongoInbox",
    "inbox_document_id",
    "inbox_insert_one",
    "inbox_key",
    "inbox_update_one",
]

logger = logging.getLogger(__name__)

APPLIED_EVENTS = "applied_events"
#: How many handled-event keys a changed document remembers. The bus redelivers within minutes
#: (``EVENT_CLAIM_IDLE_MS``); an event replayed after this many later events on the same document
#: would apply again, so replays of old dead letters must be checked by hand.
APPLIED_EVENTS_KEPT = 500
_NAMESPACE = uuid.UUID("5f0c2a7e-8d5b-4f8e-9a57-3b1d2c4e6f80")


def inbox_key(*, consumer: str, event: Event) -> str:
    """``"<consumer>:<event_id>"``: what records that ``consumer`` handled ``event``."""
    return f"{consumer}:{event.event_id}"


def inbox_document_id(*, consumer: str, event: Event) -> str:
    """A UUID derived from :func:`inbox_key`: the ``_id`` of the document an event creates.

    Deterministic, so every delivery of the event names the same document; a UUID, so it can be a
    public id like any other.
    """
    return str(uuid.uuid5(_NAMESPACE, inbox_key(consumer=consumer, event=event)))


def inbox_insert_one(
    collection: Collection[dict[str, Any]],
    document: Mapping[str, Any],
    *events: Event,
    consumer: str,
    event: Event,
    kick: RelayKick | None = None,
) -> bool:
    """Insert the document ``event`` creates for ``consumer`` (with ``events`` in its outbox, if
    any); False when a delivery of the same event already inserted it.

    ``document`` must not carry ``_id``: it is :func:`inbox_document_id`. A ``DuplicateKeyError`` on
    another unique index is a real conflict and propagates.
    """
    if "_id" in document:
        raise ValueError("inbox_insert_one sets _id itself (from the consumer and the event id)")
    check_no_outbox_fields(document)
    document_id = inbox_document_id(consumer=consumer, event=event)
    try:
        collection.insert_one({"_id": document_id, **document, **outbox_fields(*events)})
    except DuplicateKeyError:
        if collection.count_documents({"_id": document_id}, limit=1):
            logger.info("%s already applied %s %s", consumer, event.detail_type, event.event_id)
            return False
        raise
    if kick is not None and events:
        kick.kick()
    return True


def inbox_update_one(
    collection: Collection[dict[str, Any]],
    document_id: Any,
    update: Mapping[str, Any],
    *events: Event,
    consumer: str,
    event: Event,
    locks: Collection[Any],
    conditions: Mapping[str, Any] | None = None,
    kick: RelayKick | None = None,
    lease_s: float = DEFAULT_LEASE_S,
    wait_s: float = 10.0,
) -> bool:
    """Apply ``update`` (and append ``events`` to the outbox) once per ``(consumer, event)``.

    One ``update_one`` under the document's lock writes the change, the key in ``applied_events``
    (the last :data:`APPLIED_EVENTS_KEPT` kept) and the events, so they exist together or not at all.
    Returns True when applied now; False when already applied or ``conditions`` do not hold. Raises
    ``LookupError`` when the document does not exist (the transport retries, then dead-letters).
    """
    key = inbox_key(consumer=consumer, event=event)
    for fields in update.values():
        check_no_outbox_fields(fields)
        if APPLIED_EVENTS in fields:
            raise ValueError(f"the update must not write {APPLIED_EVENTS!r}")
    guard = {"$push": {APPLIED_EVENTS: {"$each": [key], "$slice": -APPLIED_EVENTS_KEPT}}}
    merged = merge_update(merge_update(update, guard), outbox_push(*events))
    with document_lock(locks, collection, document_id, lease_s=lease_s, wait_s=wait_s):
        result = collection.update_one(
            {**(conditions or {}), "_id": document_id, APPLIED_EVENTS: {"$ne": key}}, merged
        )
        if result.matched_count == 0:
            if not collection.count_documents({"_id": document_id}, limit=1):
                raise LookupError(f"{collection.name} has no document {document_id!r}")
            return False
    if kick is not None and events:
        kick.kick()
    return True


class MongoInbox:
    """The ``dedupe`` of a Flask worker's ``run_consumer``.

    ``run_consumer(..., dedupe=MongoInbox(db["inbox"], consumer=SERVICE).dedupe)``.

    Records ``{_id: "<consumer>:<event_id>"}`` after the handler returned and skips events already
    recorded. A process killed between the handler and the record runs the handler again on
    redelivery; its writes (through :func:`inbox_insert_one` / :func:`inbox_update_one`) then change
    nothing, which is why handlers must use them.
    """

    def __init__(self, collection: Collection[dict[str, Any]], *, consumer: str) -> None:
        self.collection = collection
        self.consumer = consumer

    def is_handled(self, event: Event) -> bool:
        key = inbox_key(consumer=self.consumer, event=event)
        return bool(self.collection.count_documents({"_id": key}, limit=1))

    def dedupe(self, event: Event, handler: EventHandler) -> bool:
        """Run ``handler(event)`` unless recorded; True when it ran. A raising handler records nothing."""
        if self.is_handled(event):
            logger.info(
                "%s already handled %s %s; skipping", self.consumer, event.detail_type, event.event_id
            )
            return False
        handler(event)
        # A concurrent delivery may finish first; the effect's own guard kept it single.
        with contextlib.suppress(DuplicateKeyError):
            self.collection.insert_one(
                {
                    "_id": inbox_key(consumer=self.consumer, event=event),
                    "event_id": event.event_id,
                    "detail_type": event.detail_type,
                    "handled_at": datetime.now(UTC),
                }
            )
        return True

    def purge(self, *, older_than: timedelta) -> int:
        """Delete records handled more than ``older_than`` ago (a periodic job); return how many."""
        cutoff = datetime.now(UTC) - older_than
        return int(self.collection.delete_many({"handled_at": {"$lt": cutoff}}).deleted_count)
