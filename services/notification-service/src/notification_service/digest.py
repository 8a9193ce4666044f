"""The daily digest and the retention purge (periodic jobs, declared in ``schedules.py``).

Digest: a notice of a type the member gets ``daily`` waits in ``digest_items``. Once a day, from the
member's digest hour (UTC), :func:`digests_send` puts everything waiting into one email intent whose
``_id`` is ``digest:<user>:<date>``: the unique id makes it at most one digest per member per day,
however often or concurrently the job runs. The items are then stamped with that id; a job killed
between the two writes stamps them on its next run (the digest already exists), so nothing is
digested twice. The mailer sends the digest like any other email.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.errors import DuplicateKeyError

from notification_service.config import load_config
from notification_service.db import DIGEST_ITEMS, EMAILS, RECIPIENTS, Db, database
from notification_service.preferences import daily_types, digest_hour
from notification_service.services import notifications_purge_read

logger = logging.getLogger(__name__)

#: Most items in one digest (the oldest first); the rest wait for the next day.
DIGEST_MAX_ITEMS = 50
#: Stamp of items that cannot be emailed (no verified address, or the member turned daily off).
NOT_SENT = "not_sent"


def _stamp(db: Db, item_ids: list[Any], digest_id: str) -> None:
    if item_ids:
        db[DIGEST_ITEMS].update_many(
            {"_id": {"$in": item_ids}, "digest_id": None}, {"$set": {"digest_id": digest_id}}
        )


def digest_send_for(db: Db, *, user_id: str, now: datetime, default_hour: int) -> str | None:
    """The member's digest of today if it is due and anything waits; its email id, or None."""
    if now.hour < digest_hour(db, user_id=user_id, default=default_hour):
        return None
    digest_id = f"digest:{user_id}:{now.date().isoformat()}"
    existing = db[EMAILS].find_one({"_id": digest_id})
    if existing is not None:  # sent today already; finish stamping if a run died before it did
        _stamp(db, list(existing.get("item_ids") or []), digest_id)
        return None
    waiting = list(
        db[DIGEST_ITEMS].find({"user_id": user_id, "digest_id": None}).sort([("created_at", 1), ("_id", 1)])
    )
    wanted = set(daily_types(db, user_id=user_id))
    recipient = db[RECIPIENTS].find_one({"_id": user_id}) or {}
    if not recipient.get("email_verified") or not recipient.get("email"):
        _stamp(db, [item["_id"] for item in waiting], NOT_SENT)
        return None
    _stamp(db, [item["_id"] for item in waiting if item["type"] not in wanted], NOT_SENT)
    items = [item for item in waiting if item["type"] in wanted][:DIGEST_MAX_ITEMS]
    if not items:
        return None
    count = len(items)
    subject = f"Your dBay daily digest: {count} update{'s' if count != 1 else ''}"
    document = {
        "_id": digest_id,
        "kind": "digest",
        "type": "digest",
        "user_id": user_id,
        "to": recipient["email"],
        "name": recipient.get("display_name") or recipient.get("username") or "",
        "subject": subject,
        "title": "What happened on dBay since your last digest",
        "items": [
            {"type": i["type"], "title": i["title"], "body": i["body"], "link": i.get("link")} for i in items
        ],
        "item_ids": [item["_id"] for item in items],
        "state": "queued",
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
        "last_error": None,
        "sent_at": None,
    }
    try:
        db[EMAILS].insert_one(document)
    except DuplicateKeyError:  # a concurrent run made it: stamp what that one holds
        existing = db[EMAILS].find_one({"_id": digest_id}) or {}
        _stamp(db, list(existing.get("item_ids") or []), digest_id)
        return None
    _stamp(db, document["item_ids"], digest_id)
    return digest_id


def digests_send(now: datetime | None = None) -> int:
    """Queue every due digest (a periodic job, every few minutes); return how many were queued."""
    config = load_config()
    db = database(config["MONGODB_URI"])
    now = now or datetime.now(UTC)
    users = sorted({row["user_id"] for row in db[DIGEST_ITEMS].find({"digest_id": None}, {"user_id": 1})})
    queued = 0
    for user_id in users:
        if digest_send_for(db, user_id=user_id, now=now, default_hour=config["DIGEST_DEFAULT_HOUR_UTC"]):
            queued += 1
    if queued:
        logger.info("queued %d daily digest(s)", queued)
    return queued


def notifications_retention_purge() -> int:
    """Delete read notifications older than ``NOTIFICATION_RETENTION_DAYS`` (daily job)."""
    config = load_config()
    days = int(config["NOTIFICATION_RETENTION_DAYS"])
    deleted = notifications_purge_read(
        database=database(config["MONGODB_URI"]), older_than=timedelta(days=days)
    )
    logger.info("purged %d read notification(s) older than %d days", deleted, days)
    return deleted
