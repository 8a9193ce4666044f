"""Reads for messaging-service: functions that query and return data, never change it.

Also the rendering of stored documents into the API's shapes (``Conversation``, ``Message``...), so
the routes stay thin. Unread counts are derived, never stored: the messages from the other party
after the reader's read pointer (a message id; ids sort in sending order).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING

from dbay_common.errors import InvalidRequest, NotFound
from dbay_common.pagination import PageParams, page_response
from messaging_service.db import Db

#: Messages a staff member sees around a reported message (the conversation's latest ones).
STAFF_THREAD_LIMIT = 200


def iso(moment: datetime) -> str:
    """``2026-12-07T21:30:00.123Z``: the API's and the events' time format."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def listing_copy(database: Db, listing_id: str) -> dict[str, Any] | None:
    return database["listings"].find_one({"_id": listing_id})


def member_name(database: Db, user_id: str) -> str:
    """What other people see as the member's name: the display name, else the username, else ""."""
    member = database["members"].find_one({"_id": user_id})
    if member is None:
        return ""
    return str(member.get("display_name") or member.get("username") or "")


def block_between(database: Db, *, sender_id: str, recipient_id: str) -> str | None:
    """``"by_sender"`` / ``"by_recipient"`` when one blocked the other (the sender's own block first)."""
    found = {
        doc["_id"]
        for doc in database["blocks"].find(
            {"_id": {"$in": [f"{sender_id}:{recipient_id}", f"{recipient_id}:{sender_id}"]}}, {"_id": 1}
        )
    }
    if f"{sender_id}:{recipient_id}" in found:
        return "by_sender"
    if f"{recipient_id}:{sender_id}" in found:
        return "by_recipient"
    return None


def message_in_conversation(database: Db, *, conversation_id: str, message_id: str) -> dict[str, Any] | None:
    return database["messages"].find_one({"_id": message_id, "conversation_id": conversation_id})


def conversation_for_party(database: Db, *, conversation_id: str, user_id: str) -> dict[str, Any]:
    """The conversation if ``user_id`` is one of its two parties; 404 ``conversation_not_found``
    otherwise (the same answer whether it exists or not: nobody learns of others' conversations)."""
    conversation = database["conversations"].find_one({"_id": conversation_id})
    if conversation is None or user_id not in conversation["participants"]:
        raise NotFound("No such conversation.", code="conversation_not_found")
    return conversation


def message_render(message: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": message["_id"],
        "conversation_id": message["conversation_id"],
        "sender_id": message["sender_id"],
        "body": message["body"],
        "sent_at": iso(message["sent_at"]),
    }


def unread_count(database: Db, conversation: dict[str, Any], user_id: str) -> int:
    """Messages from the other party after ``user_id``'s read pointer."""
    query: dict[str, Any] = {"conversation_id": conversation["_id"], "sender_id": {"$ne": user_id}}
    pointer = (conversation.get("read") or {}).get(user_id)
    if pointer:
        if conversation.get("activity", "") <= pointer:
            return 0  # nothing was sent after the pointer (``activity`` is the newest message id)
        query["_id"] = {"$gt": pointer}
    return database["messages"].count_documents(query)


def unread_total(database: Db, user_id: str) -> int:
    """Unread messages across ``user_id``'s conversations (only those active since their pointer)."""
    total = 0
    for conversation in database["conversations"].find(
        {"participants": user_id}, {"participants": 1, "read": 1, "activity": 1}
    ):
        total += unread_count(database, conversation, user_id)
    return total


def _members(database: Db, user_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    return {doc["_id"]: doc for doc in database["members"].find({"_id": {"$in": sorted(set(user_ids))}})}


def party_render(user_id: str, member: dict[str, Any] | None) -> dict[str, Any]:
    username = str((member or {}).get("username") or "")
    return {
        "id": user_id,
        "username": username,
        "display_name": str((member or {}).get("display_name") or username),
    }


def conversations_render(
    database: Db, conversations: list[dict[str, Any]], viewer_id: str
) -> list[dict[str, Any]]:
    """``conversations`` as the API's ``Conversation``, seen by ``viewer_id`` (one of the parties)."""
    others = {c["_id"]: next(p for p in c["participants"] if p != viewer_id) for c in conversations}
    members = _members(database, others.values())
    listing_ids = sorted({c["listing_id"] for c in conversations if c.get("listing_id")})
    listings = {doc["_id"]: doc for doc in database["listings"].find({"_id": {"$in": listing_ids}})}
    blocks = {
        doc["_id"]
        for doc in database["blocks"].find(
            {
                "_id": {
                    "$in": [f"{viewer_id}:{o}" for o in others.values()]
                    + [f"{o}:{viewer_id}" for o in others.values()]
                }
            },
            {"_id": 1},
        )
    }
    rendered = []
    for conversation in conversations:
        other_id = others[conversation["_id"]]
        last = conversation.get("last_message") or database["messages"].find_one(
            {"conversation_id": conversation["_id"]}, sort=[("_id", DESCENDING)]
        )
        listing_id = conversation.get("listing_id")
        listing = listings.get(listing_id) if listing_id else None
        rendered.append(
            {
                "id": conversation["_id"],
                "listing": (
                    {
                        "id": listing_id,
                        "title": (listing or {}).get("title", ""),
                        "photo_url": (listing or {}).get("photo_url"),
                    }
                    if listing_id
                    else None
                ),
                "other_party": party_render(other_id, members.get(other_id)),
                "last_message": message_render(last) if last else None,
                "unread_count": unread_count(database, conversation, viewer_id),
                "other_last_read_message_id": (conversation.get("read") or {}).get(other_id),
                "blocked": f"{viewer_id}:{other_id}" in blocks,
                "blocked_by_other": f"{other_id}:{viewer_id}" in blocks,
                "created_at": iso(conversation["created_at"]),
                "updated_at": iso(conversation["updated_at"]),
            }
        )
    return rendered


def conversation_render(database: Db, conversation: dict[str, Any], viewer_id: str) -> dict[str, Any]:
    return conversations_render(database, [conversation], viewer_id)[0]


def conversation_list(database: Db, *, user_id: str, page: PageParams) -> dict[str, Any]:
    """``user_id``'s conversations, most recently active first; ``starting_after`` is a conversation
    id of theirs (its position is its current last activity)."""
    if page.ending_before is not None:
        raise InvalidRequest("This list pages forward only.", code="invalid_field", param="ending_before")
    query: dict[str, Any] = {"participants": user_id}
    if page.starting_after is not None:
        anchor = database["conversations"].find_one(
            {"_id": page.starting_after, "participants": user_id}, {"activity": 1}
        )
        if anchor is None:
            raise InvalidRequest("Invalid cursor.", code="invalid_cursor", param="starting_after")
        query["activity"] = {"$lt": anchor["activity"]}
    found = list(database["conversations"].find(query).sort("activity", DESCENDING).limit(page.limit + 1))
    return page_response(
        conversations_render(database, found[: page.limit], user_id), len(found) > page.limit
    )


def message_list(database: Db, *, conversation_id: str, limit: int, before: str | None) -> dict[str, Any]:
    """A page of the conversation's messages, oldest to newest within the page: the latest ``limit``
    messages, or those just before message ``before``; ``has_more`` says older ones exist."""
    query: dict[str, Any] = {"conversation_id": conversation_id}
    if before is not None:
        query["_id"] = {"$lt": before}
    found = list(database["messages"].find(query).sort("_id", DESCENDING).limit(limit + 1))
    page = found[:limit]
    page.reverse()
    return page_response([message_render(m) for m in page], len(found) > limit)


def block_list(database: Db, *, user_id: str, page: PageParams) -> dict[str, Any]:
    """The members ``user_id`` blocked, in id order; ``starting_after`` is a member id."""
    query: dict[str, Any] = {"blocker_id": user_id}
    if page.starting_after is not None:
        query["_id"] = {"$gt": f"{user_id}:{page.starting_after}"}
    found = list(database["blocks"].find(query).sort("_id", ASCENDING).limit(page.limit + 1))
    items = found[: page.limit]
    return page_response([block_render(database, b) for b in items], len(found) > page.limit)


def block_render(database: Db, block: dict[str, Any]) -> dict[str, Any]:
    member = database["members"].find_one({"_id": block["blocked_id"]})
    return {
        "user": party_render(block["blocked_id"], member),
        "blocked_at": iso(block["created_at"]),
    }


def report_render(database: Db, report: dict[str, Any]) -> dict[str, Any]:
    members = _members(database, (report["reporter_id"], report["reported_user_id"]))
    return {
        "id": report["_id"],
        "status": report["status"],
        "reason": report["reason"],
        "conversation_id": report["conversation_id"],
        "message": {
            "id": report["message_id"],
            "conversation_id": report["conversation_id"],
            "sender_id": report["reported_user_id"],
            "body": report["body"],
            "sent_at": iso(report["sent_at"]),
        },
        "reporter_id": report["reporter_id"],
        "reporter": party_render(report["reporter_id"], members.get(report["reporter_id"])),
        "reported_user_id": report["reported_user_id"],
        "reported_user": party_render(report["reported_user_id"], members.get(report["reported_user_id"])),
        "created_at": iso(report["created_at"]),
        "outcome": report.get("outcome"),
        "note": report.get("note"),
        "resolved_by": report.get("resolved_by"),
        "resolved_at": iso(report["resolved_at"]) if report.get("resolved_at") else None,
    }


def report_list(database: Db, *, status: str | None, page: PageParams) -> dict[str, Any]:
    """Reports for staff, oldest first (a queue); ``status`` filters; ``starting_after`` a report id."""
    if page.ending_before is not None:
        raise InvalidRequest("This list pages forward only.", code="invalid_field", param="ending_before")
    query: dict[str, Any] = {}
    if status is not None:
        query["status"] = status
    sort = [("created_at", ASCENDING), ("_id", ASCENDING)]
    if page.starting_after is not None:
        anchor = database["reports"].find_one({"_id": page.starting_after}, {"created_at": 1})
        if anchor is None:
            raise InvalidRequest("Invalid cursor.", code="invalid_cursor", param="starting_after")
        query["$or"] = [
            {"created_at": {"$gt": anchor["created_at"]}},
            {"created_at": anchor["created_at"], "_id": {"$gt": page.starting_after}},
        ]
    found = list(database["reports"].find(query).sort(sort).limit(page.limit + 1))
    return page_response([report_render(database, r) for r in found[: page.limit]], len(found) > page.limit)


def report_detail(database: Db, report_id: str) -> dict[str, Any]:
    """One report with its conversation (parties, listing) and the conversation's latest
    :data:`STAFF_THREAD_LIMIT` messages, oldest first: the only way staff read a conversation."""
    report = database["reports"].find_one({"_id": report_id})
    if report is None:
        raise NotFound("No such report.", code="report_not_found")
    conversation = database["conversations"].find_one({"_id": report["conversation_id"]}) or {}
    participants = conversation.get("participants", [])
    members = _members(database, participants)
    thread = message_list(
        database, conversation_id=report["conversation_id"], limit=STAFF_THREAD_LIMIT, before=None
    )
    listing_id = conversation.get("listing_id")
    listing = listing_copy(database, listing_id) if listing_id else None
    return {
        **report_render(database, report),
        "participants": [party_render(p, members.get(p)) for p in participants],
        "listing": (
            {
                "id": listing_id,
                "title": (listing or {}).get("title", ""),
                "photo_url": (listing or {}).get("photo_url"),
            }
            if listing_id
            else None
        ),
        "messages": thread["data"],
        "has_more_messages": thread["has_more"],
    }
