"""Reads for notification-service: functions that query and return data, never change it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dbay_common.errors import InvalidRequest
from notification_service.db import EMAILS, NOTIFICATIONS, Db


def iso(value: datetime | None) -> str | None:
    """A stored time as the API's ISO 8601 UTC text (``...Z``, milliseconds)."""
    if value is None:
        return None
    return value.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def notification_json(document: dict[str, Any]) -> dict[str, Any]:
    """A notification as the API and the live channel show it."""
    return {
        "id": document["_id"],
        "type": document["type"],
        "title": document["title"],
        "body": document["body"],
        "link": document.get("link"),
        "created_at": iso(document["created_at"]),
        "read_at": iso(document.get("read_at")),
    }


def unread_count(database: Db, user_id: str) -> int:
    return int(database[NOTIFICATIONS].count_documents({"user_id": user_id, "read_at": None}))


def _page(
    collection: Any, scope: dict[str, Any], *, limit: int, starting_after: str | None, newest_first: bool
) -> tuple[list[dict[str, Any]], bool]:
    """Keyset page over (created_at, _id) within ``scope``; the cursor is an id inside ``scope``."""
    query = dict(scope)
    direction = -1 if newest_first else 1
    if starting_after is not None:
        anchor = collection.find_one({**scope, "_id": starting_after})
        if anchor is None:
            raise InvalidRequest(
                "starting_after must be the id of an item in this list.",
                code="invalid_cursor",
                param="starting_after",
            )
        beyond = "$lt" if newest_first else "$gt"
        query["$or"] = [
            {"created_at": {beyond: anchor["created_at"]}},
            {"created_at": anchor["created_at"], "_id": {beyond: anchor["_id"]}},
        ]
    rows = list(collection.find(query).sort([("created_at", direction), ("_id", direction)]).limit(limit + 1))
    return rows[:limit], len(rows) > limit


def notification_page(
    database: Db, *, user_id: str, limit: int, starting_after: str | None
) -> dict[str, Any]:
    """The member's notifications, newest first; ``starting_after`` is the last id of the previous page."""
    rows, has_more = _page(
        database[NOTIFICATIONS],
        {"user_id": user_id},
        limit=limit,
        starting_after=starting_after,
        newest_first=True,
    )
    return {"data": [notification_json(row) for row in rows], "has_more": has_more}


def email_json(document: dict[str, Any]) -> dict[str, Any]:
    """An email intent as the staff API shows it."""
    return {
        "id": document["_id"],
        "user_id": document["user_id"],
        "to": document["to"],
        "type": document["type"],
        "subject": document["subject"],
        "state": document["state"],
        "attempts": int(document.get("attempts", 0)),
        "last_error": document.get("last_error"),
        "created_at": iso(document["created_at"]),
        "next_attempt_at": iso(document.get("next_attempt_at")),
        "sent_at": iso(document.get("sent_at")),
    }


def email_page(database: Db, *, state: str | None, limit: int, starting_after: str | None) -> dict[str, Any]:
    """Email intents (of one state, if given), oldest first."""
    scope = {"state": state} if state else {}
    rows, has_more = _page(
        database[EMAILS], scope, limit=limit, starting_after=starting_after, newest_first=False
    )
    return {"data": [email_json(row) for row in rows], "has_more": has_more}
