"""notification-service's MongoDB database and background processes, wired by dbay_common.mongo.service.

``outbox_collections`` lists every collection whose documents carry events (the relay scans them);
notification-service publishes none yet. The collections it keeps:

- ``notifications``: one in-app notification per (event, member, type), ``_id`` derived from the
  event (``inbox_insert_one``), so a redelivered event creates nothing twice;
- ``recipients``: the directory (email, verified or not, display name) built from ``user.*`` events;
- ``preferences``: a member's choices, one document per member (absent: the defaults);
- ``emails``: email intents the mailer sends (``queued`` → ``sent``, or ``dead`` after its retries);
- ``digest_items``: what waits for a member's daily digest;
- ``message_email_guards``: one per (recipient, conversation, quiet period): the unique insert that
  lets at most one new-message email through per period;
- ``document_locks``: per-document locks (``dbay_common.mongo.locks``).
"""

from __future__ import annotations

import functools
from typing import Any

import redis
from pymongo import ASCENDING, DESCENDING
from pymongo.database import Database

from dbay_common.mongo.locks import DEFAULT_LOCKS_COLLECTION
from dbay_common.mongo.service import MongoService
from notification_service.config import SERVICE, load_config

STORE = MongoService(service=SERVICE, load_config=load_config, outbox_collections=())

Db = Database[dict[str, Any]]

NOTIFICATIONS = "notifications"
RECIPIENTS = "recipients"
PREFERENCES = "preferences"
EMAILS = "emails"
DIGEST_ITEMS = "digest_items"
MESSAGE_EMAIL_GUARDS = "message_email_guards"
LOCKS = DEFAULT_LOCKS_COLLECTION


def ensure_indexes(database: Db) -> None:
    """Create the indexes the queries use (idempotent; every process calls it at start)."""
    database[NOTIFICATIONS].create_index(
        [("user_id", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)], name="user_newest"
    )
    database[NOTIFICATIONS].create_index([("user_id", ASCENDING), ("read_at", ASCENDING)], name="user_unread")
    database[NOTIFICATIONS].create_index([("read_at", ASCENDING)], name="read_at")
    database[EMAILS].create_index([("state", ASCENDING), ("next_attempt_at", ASCENDING)], name="due")
    database[EMAILS].create_index([("state", ASCENDING), ("_id", ASCENDING)], name="by_state")
    database[DIGEST_ITEMS].create_index([("digest_id", ASCENDING), ("user_id", ASCENDING)], name="pending")


@functools.cache
def _indexed(uri: str) -> Db:
    database = STORE.database(uri)
    ensure_indexes(database)
    return database


def database(uri: str | None = None) -> Db:
    """The service's database (``MONGODB_URI``), its indexes created once per process."""
    return _indexed(uri or load_config()["MONGODB_URI"])


@functools.cache
def _redis(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)


def live_redis(url: str | None = None) -> redis.Redis:
    """The service's Redis (``REDIS_URL``, db 6): the live channel's topics and presence live there."""
    return _redis(url or load_config()["REDIS_URL"])
