"""Writes for notification-service: `<entity>_<action>` functions with keyword-only arguments.

Each one documents its invariants. Routes and event handlers call these; they hold no logic
themselves. Preferences and unsubscribing are in ``preferences.py`` / ``unsubscribe.py``; what an
event does is in ``handlers.py``.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import redis
from pymongo.errors import DuplicateKeyError

from dbay_common.errors import Conflict, NotFound
from dbay_common.mongo import document_lock
from notification_service.db import EMAILS, LOCKS, NOTIFICATIONS, RECIPIENTS, Db
from notification_service.live.publish import live_publish
from notification_service.selectors import notification_json, unread_count

logger = logging.getLogger(__name__)


def live_send(client: redis.Redis, topic: str, event: str, data: dict[str, Any]) -> None:
    """Publish on the live channel; a failure is logged, not raised (the web app refetches what it
    shows when it reconnects, so a lost live message is late, never lost information). A topic the
    channel refuses (an id that is not a UUID in some event) must not stop the notification either."""
    try:
        live_publish(client, topic, event, data)
    except (redis.RedisError, ValueError):
        logger.warning("live message %s on %s not published", event, topic, exc_info=True)


# -- recipient directory (from user.* events) ----------------------------------------------------------


def recipient_register(*, database: Db, user_id: str, username: str, email: str) -> None:
    """A new member: their address, not verified yet. Order-proof: an address already known (the
    verification came first) is kept."""
    collection = database[RECIPIENTS]
    now = datetime.now(UTC)
    try:
        collection.insert_one(
            {
                "_id": user_id,
                "username": username,
                "display_name": "",
                "email": email,
                "email_verified": False,
                "updated_at": now,
            }
        )
        return
    except DuplicateKeyError:
        pass
    with document_lock(database[LOCKS], collection, user_id):
        known = collection.find_one({"_id": user_id}) or {}
        update: dict[str, Any] = {"username": username}
        if not known.get("email"):
            update |= {"email": email, "email_verified": False}
        collection.update_one({"_id": user_id}, {"$set": update})


def recipient_email_verify(*, database: Db, user_id: str, email: str) -> None:
    """The member proved they read ``email``: it is where their email goes from now on."""
    collection = database[RECIPIENTS]
    with document_lock(database[LOCKS], collection, user_id):
        collection.update_one(
            {"_id": user_id},
            {"$set": {"email": email, "email_verified": True, "updated_at": datetime.now(UTC)}},
            upsert=True,
        )


def recipient_profile_update(
    *, database: Db, user_id: str, username: str, display_name: str, updated_at: str
) -> None:
    """The name emails greet the member with; an older profile than the one kept is ignored."""
    collection = database[RECIPIENTS]
    changed_at = datetime.fromisoformat(updated_at.replace("Z", "+00:00"))
    with document_lock(database[LOCKS], collection, user_id):
        known = collection.find_one({"_id": user_id}) or {}
        kept = known.get("profile_updated_at")
        if isinstance(kept, datetime) and kept >= changed_at:
            return
        collection.update_one(
            {"_id": user_id},
            {
                "$set": {
                    "username": username,
                    "display_name": display_name,
                    "profile_updated_at": changed_at,
                }
            },
            upsert=True,
        )


# -- reading notifications -----------------------------------------------------------------------------


def notification_mark_read(
    *, database: Db, live: redis.Redis, user_id: str, notification_id: str
) -> dict[str, Any]:
    """Mark one of the member's notifications read (idempotent: the first read time stays); 404 for
    a notification that is not theirs. Tells the member's other tabs the new unread count."""
    collection = database[NOTIFICATIONS]
    mine = {"_id": notification_id, "user_id": user_id}
    document = collection.find_one(mine)
    if document is None:
        raise NotFound("No such notification.", code="not_found")
    if document.get("read_at") is None:
        now = datetime.now(UTC)
        collection.update_one({**mine, "read_at": None}, {"$set": {"read_at": now}})
        document = collection.find_one(mine) or {**document, "read_at": now}
        live_send(
            live, f"user:{user_id}", "notifications.read", {"unread_count": unread_count(database, user_id)}
        )
    return notification_json(document)


def notifications_mark_all_read(*, database: Db, live: redis.Redis, user_id: str) -> int:
    """Mark every unread notification of the member read; return the unread count (0)."""
    database[NOTIFICATIONS].update_many(
        {"user_id": user_id, "read_at": None}, {"$set": {"read_at": datetime.now(UTC)}}
    )
    count = unread_count(database, user_id)
    live_send(live, f"user:{user_id}", "notifications.read", {"unread_count": count})
    return count


def notifications_purge_read(*, database: Db, older_than: timedelta) -> int:
    """Delete notifications read more than ``older_than`` ago (the retention job)."""
    cutoff = datetime.now(UTC) - older_than
    return int(database[NOTIFICATIONS].delete_many({"read_at": {"$lt": cutoff}}).deleted_count)


# -- operator -----------------------------------------------------------------------------------------


def email_replay(*, database: Db, email_id: str) -> dict[str, Any]:
    """Queue a dead email again with fresh attempts (the mailer sends it on its next pass); 404 for
    no such email, 409 ``not_dead`` unless it is dead. Under the email's lock, as the mailer writes."""
    collection = database[EMAILS]
    with document_lock(database[LOCKS], collection, email_id):
        document = collection.find_one({"_id": email_id})
        if document is None:
            raise NotFound("No such email.", code="not_found")
        if document.get("state") != "dead":
            raise Conflict("Only a dead email can be replayed.", code="not_dead")
        now = datetime.now(UTC)
        changes = {"state": "queued", "attempts": 0, "next_attempt_at": now, "replayed_at": now}
        collection.update_one({"_id": email_id}, {"$set": changes})
    return {**document, **changes}
