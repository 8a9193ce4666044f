"""Writes for messaging-service: `<entity>_<action>` functions with keyword-only arguments.

Each one documents its invariants and the events it emits. Routes and event handlers call these;
they hold no logic themselves. The store is FerretDB (docs/flask-outbox.md): an event travels in
the same single-document write as the change it describes, every update of a ``conversations`` or
``messages`` document holds the document's lock (``outbox_update_one``), and anything that must
happen once is a unique insert. Nothing here keeps a counter: unread counts are derived from the
messages and each party's read pointer (selectors), so concurrent sends cannot lose one.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pymongo.errors import DuplicateKeyError

from dbay_common.errors import Conflict, InvalidRequest, NotFound, PermissionDenied
from dbay_common.events.envelope import Event
from dbay_common.mongo import (
    RelayKick,
    document_lock,
    inbox_key,
    inbox_update_one,
    outbox_insert_one,
    outbox_update_one,
)
from messaging_service.db import STORE, Db, locks
from messaging_service.events import (
    CONSUMER,
    EVENTS,
    ConversationReadV1,
    ListingCopy,
    MessageSentV1,
)
from messaging_service.selectors import (
    block_between,
    iso,
    listing_copy,
    member_name,
    message_in_conversation,
)

#: Namespace of the ids derived from their parts (conversations, reports).
ID_NAMESPACE = uuid.UUID("0b7f2c1e-5d4a-4e8b-9c3f-6a1d2e3f4a5b")
#: Listing statuses a buyer cannot ask about (only the seller sees a draft).
HIDDEN_LISTING_STATUSES = frozenset({"draft"})
REPORT_OUTCOMES = ("dismissed", "action_taken")


def now_ms() -> datetime:
    """Now, to the millisecond (what the store keeps), so the API and the events show the same time."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


_last_id = 0
_last_id_lock = threading.Lock()


def new_ordered_id() -> str:
    """A UUID version 7 as text: its string order is its creation order (the millisecond, then
    random bits; strictly increasing within one process), which gives messages a total order and
    conversations their "last active" sort key."""
    global _last_id
    value = (int(time.time() * 1000) & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= (int.from_bytes(os.urandom(2), "big") & 0x0FFF) << 64
    value |= 0b10 << 62
    value |= int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)
    with _last_id_lock:
        if value <= _last_id and (_last_id >> 80) == (value >> 80):
            value = _last_id + 1  # same millisecond: after the previous id (the random bits absorb it)
        _last_id = value
    return str(uuid.UUID(int=value))


def conversation_id_for(*, party_a: str, party_b: str, listing_id: str | None) -> str:
    """The conversation's ``_id``, derived from who talks about what: two racing "Contact seller"
    clicks compute the same id, and the unique ``_id`` lets exactly one insert win."""
    if listing_id is not None:
        key = f"listing:{listing_id}:buyer:{party_a}:seller:{party_b}"
    else:
        low, high = sorted((party_a, party_b))
        key = f"direct:{low}:{high}"
    return str(uuid.uuid5(ID_NAMESPACE, key))


def _refuse_if_suspended(database: Db, sender_id: str) -> None:
    copy = database["suspensions"].find_one({"_id": sender_id}, {"is_suspended": 1})
    if copy is not None and copy.get("is_suspended"):
        raise PermissionDenied(
            "Your account is suspended, so you cannot send messages. Contact support to find out more.",
            code="account_suspended",
        )


def _refuse_if_blocked(database: Db, *, sender_id: str, recipient_id: str) -> None:
    blocked = block_between(database, sender_id=sender_id, recipient_id=recipient_id)
    if blocked == "by_sender":
        raise PermissionDenied("You blocked this member. Unblock them to send a message.", code="blocked")
    if blocked == "by_recipient":
        raise PermissionDenied("This member is not accepting messages from you.", code="blocked")


def conversation_start(
    *,
    database: Db,
    user_id: str,
    listing_id: str | None,
    recipient_id: str | None,
    body: str,
    kick: RelayKick | None = None,
    admit: Callable[[], None] | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Open (or reuse) the conversation between ``user_id`` and the other party, and send ``body``.

    With ``listing_id`` the other party is the listing's seller and ``user_id`` the buyer; without
    it, ``recipient_id`` (a member this service knows: registered, or the seller of a listing). One
    conversation per (buyer, seller, listing), or per pair without a listing: the id is derived and
    inserted uniquely, so concurrent starts share one conversation. Refused: yourself (400
    ``cannot_message_yourself``), an unknown or draft listing (404 ``listing_not_found``), an
    unknown member (404 ``recipient_not_found``), a suspended sender (403 ``account_suspended``), a
    block either way (403 ``blocked``). Returns
    ``(conversation, message)``; emits ``message.sent`` (see :func:`message_send`). ``admit`` (the
    send rate) runs once every check has passed, before anything is written.
    """
    if listing_id is not None:
        listing = listing_copy(database, listing_id)
        if listing is None or listing["status"] in HIDDEN_LISTING_STATUSES:
            raise NotFound("No such listing.", code="listing_not_found", param="listing_id")
        other_id = str(listing["seller_id"])
        buyer_id, seller_id = user_id, other_id
        param = "listing_id"
    elif recipient_id is not None:
        if (
            recipient_id != user_id
            and database["members"].find_one({"_id": recipient_id}, {"_id": 1}) is None
            and database["listings"].find_one({"seller_id": recipient_id}, {"_id": 1}) is None
        ):
            raise NotFound("No such member.", code="recipient_not_found", param="recipient_id")
        other_id = recipient_id
        buyer_id, seller_id = user_id, other_id
        param = "recipient_id"
    else:
        raise InvalidRequest(
            "Say who the message is for: a listing or a member.", code="invalid_field", param="recipient_id"
        )
    if other_id == user_id:
        raise InvalidRequest(
            "You cannot send a message to yourself.", code="cannot_message_yourself", param=param
        )
    _refuse_if_suspended(database, user_id)
    _refuse_if_blocked(database, sender_id=user_id, recipient_id=other_id)
    if admit is not None:
        admit()
    conversation_id = conversation_id_for(party_a=buyer_id, party_b=seller_id, listing_id=listing_id)
    now = now_ms()
    document: dict[str, Any] = {
        "_id": conversation_id,
        "listing_id": listing_id,
        "buyer_id": buyer_id,
        "seller_id": seller_id,
        "participants": sorted((buyer_id, seller_id)),
        "created_at": now,
        "updated_at": now,
        "activity": "",  # before any message id: the first message always moves it
        "read": {},
        "read_at": {},
    }
    with contextlib.suppress(DuplicateKeyError):
        database["conversations"].insert_one(document)
    conversation = database["conversations"].find_one({"_id": conversation_id})
    assert conversation is not None  # inserted above, by us or by a racer; never deleted
    message = message_send(
        database=database, conversation=conversation, sender_id=user_id, body=body, kick=kick
    )
    return conversation, message


def message_send(
    *,
    database: Db,
    conversation: dict[str, Any],
    sender_id: str,
    body: str,
    kick: RelayKick | None = None,
    admit: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """Store ``body`` (already checked by ``bodies.message_body_clean``) as a message from
    ``sender_id``, a party of ``conversation``, and emit ``message.sent`` in the same insert.

    403 ``account_suspended`` when the sender is suspended (the copy of ``user.suspended``), 403
    ``blocked`` when either party blocked the other; ``admit`` (the send rate) runs after the
    checks, before the insert. Then moves the conversation up the inbox
    (its ``activity`` only ever grows: the update is conditional, under the document's lock); a
    process dying between the two writes is caught up by the worker from ``message.sent``.
    """
    recipient_id = next(p for p in conversation["participants"] if p != sender_id)
    _refuse_if_suspended(database, sender_id)
    _refuse_if_blocked(database, sender_id=sender_id, recipient_id=recipient_id)
    if admit is not None:
        admit()
    message_id = new_ordered_id()
    sent_at = now_ms()
    listing_id = conversation.get("listing_id")
    listing = listing_copy(database, listing_id) if listing_id else None
    event = EVENTS.event(
        "message.sent",
        MessageSentV1(
            message_id=message_id,
            conversation_id=conversation["_id"],
            listing_id=listing_id,
            listing_title=listing["title"] if listing else None,
            sender_id=sender_id,
            sender_name=member_name(database, sender_id),
            recipient_id=recipient_id,
            body=body,
            sent_at=iso(sent_at),
        ),
    )
    message = {
        "_id": message_id,
        "conversation_id": conversation["_id"],
        "sender_id": sender_id,
        "recipient_id": recipient_id,
        "body": body,
        "sent_at": sent_at,
    }
    outbox_insert_one(database["messages"], message, event, kick=kick)
    conversation_activity_move(database=database, message=message)
    return message


def conversation_activity_move(*, database: Db, message: dict[str, Any]) -> bool:
    """Make ``message`` its conversation's latest activity (the inbox order, ``updated_at`` and a copy
    of the last message, so the inbox needs no query per conversation) unless a later message is
    already there: the condition, under the document's lock, keeps the newest whatever the order of
    concurrent sends."""
    last = {key: message[key] for key in ("_id", "conversation_id", "sender_id", "body", "sent_at")}
    result = outbox_update_one(
        database["conversations"],
        message["conversation_id"],
        {"$set": {"activity": message["_id"], "updated_at": message["sent_at"], "last_message": last}},
        locks=locks(database),
        conditions={"activity": {"$lt": message["_id"]}},
    )
    return bool(result.modified_count)


def conversation_activity_catch_up(*, conversation_id: str, message_id: str) -> None:
    """Handler of our own ``message.sent``: redo :func:`conversation_activity_move` (a no-op unless
    the sending process died between the message and the conversation write). Idempotent: the
    update only moves ``activity`` forward."""
    database = STORE.database()
    conversation = database["conversations"].find_one({"_id": conversation_id}, {"activity": 1})
    if conversation is None or conversation["activity"] >= message_id:
        return  # the usual case: the sender moved it (``activity`` never moves back), so no lock
    message = database["messages"].find_one({"_id": message_id}, {"outbox": 0, "outbox_pending": 0})
    if message is not None:
        conversation_activity_move(database=database, message=message)


def conversation_read(
    *,
    database: Db,
    conversation: dict[str, Any],
    reader_id: str,
    message_id: str,
    kick: RelayKick | None = None,
) -> bool:
    """Move ``reader_id``'s read pointer in ``conversation`` to ``message_id`` (a message of it).

    The pointer only moves forward (a condition evaluated under the document's lock), and the
    ``conversation.read`` event is in the same write: moving it emits one event, not moving it (an
    older or the same message) emits none. 404 ``message_not_found`` for a message of another
    conversation. Returns whether the pointer moved.
    """
    if message_in_conversation(database, conversation_id=conversation["_id"], message_id=message_id) is None:
        raise NotFound(
            "No such message in this conversation.", code="message_not_found", param="last_read_message_id"
        )
    other_id = next(p for p in conversation["participants"] if p != reader_id)
    read_at = now_ms()
    event = EVENTS.event(
        "conversation.read",
        ConversationReadV1(
            conversation_id=conversation["_id"],
            reader_id=reader_id,
            other_id=other_id,
            last_read_message_id=message_id,
            read_at=iso(read_at),
        ),
    )
    pointer = f"read.{reader_id}"
    result = outbox_update_one(
        database["conversations"],
        conversation["_id"],
        {"$set": {pointer: message_id, f"read_at.{reader_id}": read_at}},
        event,
        locks=locks(database),
        conditions={"$or": [{pointer: {"$exists": False}}, {pointer: {"$lt": message_id}}]},
        kick=kick,
    )
    return bool(result.modified_count)


def block_create(*, database: Db, blocker_id: str, blocked_id: str) -> dict[str, Any]:
    """``blocker_id`` blocks ``blocked_id``: neither can send the other a message until it is lifted.
    Blocking twice keeps the first block (a unique ``_id``). 400 ``cannot_block_yourself``."""
    if blocker_id == blocked_id:
        raise InvalidRequest("You cannot block yourself.", code="cannot_block_yourself", param="user_id")
    document = {
        "_id": f"{blocker_id}:{blocked_id}",
        "blocker_id": blocker_id,
        "blocked_id": blocked_id,
        "created_at": now_ms(),
    }
    try:
        database["blocks"].insert_one(document)
    except DuplicateKeyError:
        existing = database["blocks"].find_one({"_id": document["_id"]})
        return existing or document
    return document


def block_delete(*, database: Db, blocker_id: str, blocked_id: str) -> None:
    """Lift ``blocker_id``'s block of ``blocked_id``; 404 ``block_not_found`` when there is none."""
    if not database["blocks"].delete_one({"_id": f"{blocker_id}:{blocked_id}"}).deleted_count:
        raise NotFound("You have not blocked this member.", code="block_not_found")


def report_create(*, database: Db, reporter_id: str, message_id: str, reason: str) -> dict[str, Any]:
    """``reporter_id`` reports a message they received to staff, with ``reason``.

    Only a party of the message's conversation can report it (anyone else: 404 ``message_not_found``,
    the same answer as for a message that does not exist), and not their own message (400
    ``cannot_report_own_message``). One report per (reporter, message): reporting again returns the
    first. The report keeps the body as it was, for staff.
    """
    message = database["messages"].find_one({"_id": message_id})
    conversation = (
        database["conversations"].find_one({"_id": message["conversation_id"]}, {"participants": 1})
        if message
        else None
    )
    if message is None or conversation is None or reporter_id not in conversation["participants"]:
        raise NotFound("No such message.", code="message_not_found")
    if message["sender_id"] == reporter_id:
        raise InvalidRequest("You cannot report your own message.", code="cannot_report_own_message")
    report = {
        "_id": str(uuid.uuid5(ID_NAMESPACE, f"report:{reporter_id}:{message_id}")),
        "message_id": message_id,
        "conversation_id": message["conversation_id"],
        "reporter_id": reporter_id,
        "reported_user_id": message["sender_id"],
        "body": message["body"],
        "sent_at": message["sent_at"],
        "reason": reason,
        "status": "open",
        "created_at": now_ms(),
        "outcome": None,
        "note": None,
        "resolved_by": None,
        "resolved_at": None,
    }
    try:
        database["reports"].insert_one(report)
    except DuplicateKeyError:
        return database["reports"].find_one({"_id": report["_id"]}) or report
    return report


def report_resolve(*, database: Db, report_id: str, staff_id: str, outcome: str, note: str) -> dict[str, Any]:
    """Staff close an open report with ``outcome`` and ``note``. Once only: under the report's lock
    the second of two racing resolutions sees it resolved (409 ``report_already_resolved``)."""
    reports = database["reports"]
    with document_lock(locks(database), reports, report_id):
        report = reports.find_one({"_id": report_id})
        if report is None:
            raise NotFound("No such report.", code="report_not_found")
        if report["status"] != "open":
            raise Conflict("This report has already been resolved.", code="report_already_resolved")
        changes = {
            "status": "resolved",
            "outcome": outcome,
            "note": note,
            "resolved_by": staff_id,
            "resolved_at": now_ms(),
        }
        reports.update_one({"_id": report_id}, {"$set": changes})
    return {**report, **changes}


# -- copies kept from other services' events ---------------------------------------------------------


def listing_copy_apply(*, event: Event, data: ListingCopy) -> bool:
    """Keep ``data`` as the copy of its listing unless a copy of an equal or newer ``version`` exists.

    The first event of a listing inserts the copy (unique ``_id``: one racer wins); later ones update
    it under its lock, guarded by the inbox key and the version, so a redelivered or older event
    changes nothing. Returns whether the copy changed.
    """
    database = STORE.database()
    fields = {
        "seller_id": data.seller_id,
        "title": data.title,
        "status": data.status,
        "photo_url": data.thumbnail_url,
        "version": data.version,
    }
    try:
        database["listings"].insert_one(
            {"_id": data.listing_id, **fields, "applied_events": [inbox_key(consumer=CONSUMER, event=event)]}
        )
        return True
    except DuplicateKeyError:
        return inbox_update_one(
            database["listings"],
            data.listing_id,
            {"$set": fields},
            consumer=CONSUMER,
            event=event,
            locks=locks(database),
            conditions={"version": {"$lt": data.version}},
        )


def member_copy_apply(
    *, event: Event, user_id: str, username: str, display_name: str | None, at: str
) -> bool:
    """Keep a member's names: ``user.registered`` creates the copy (``display_name`` None: unset),
    ``user.profile_updated`` creates or updates it when its ``at`` is newer than the copy's. Guarded
    like :func:`listing_copy_apply`. Returns whether the copy changed."""
    database = STORE.database()
    when = datetime.fromisoformat(at)
    fields = {"username": username, "display_name": display_name or "", "at": when}
    try:
        database["members"].insert_one(
            {"_id": user_id, **fields, "applied_events": [inbox_key(consumer=CONSUMER, event=event)]}
        )
        return True
    except DuplicateKeyError:
        if display_name is None:  # a (late or redelivered) registration never overwrites a profile
            return False
        return inbox_update_one(
            database["members"],
            user_id,
            {"$set": fields},
            consumer=CONSUMER,
            event=event,
            locks=locks(database),
            conditions={"at": {"$lt": when}},
        )


def member_suspension_apply(*, user_id: str, is_suspended: bool, at: str) -> bool:
    """``user.suspended`` / ``user.reinstated``: whether the member may send, in ``suspensions``
    (one document per member). Kept only when ``at`` is newer than the stored one, so a redelivered
    or late older event changes nothing (idempotent by the time, no inbox key needed: the document
    holds nothing else). Returns whether it changed."""
    database = STORE.database()
    when = datetime.fromisoformat(at)
    fields = {"is_suspended": is_suspended, "at": when}
    try:
        database["suspensions"].insert_one({"_id": user_id, **fields})
        return True
    except DuplicateKeyError:
        result = database["suspensions"].update_one({"_id": user_id, "at": {"$lt": when}}, {"$set": fields})
        return result.modified_count == 1
