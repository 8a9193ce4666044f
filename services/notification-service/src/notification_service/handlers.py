"""What each consumed event does: live messages first, then notifications, emails, digest entries.

For every event the worker (``events.HANDLERS``) calls :func:`handle_event`:

1. the live messages (``wallet.updated``, ``listing.updated``, ``message.created``,
   ``conversation.read``; for auction events ``auction.updated`` and the bidders' ``wallet.updated``,
   see ``auctions.py``) go out first, so an open page updates within milliseconds;
2. for every :class:`~notification_service.kinds.Notice` the event's types produce: the in-app
   notification (when the member wants it) and its ``notification.created`` live message; then an
   email intent (email ``instant``) or a digest entry (``daily``).

Each document an event creates has an ``_id`` derived from ``(consumer key, event_id)``
(``inbox_insert_one``), so a redelivered event, or one handled again after the worker died before
acknowledging it, creates nothing twice: each write carries its own guard. Live messages are at least
once (clients key what they show by id).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import redis
from pymongo.errors import DuplicateKeyError

from dbay_common.events.envelope import Event
from dbay_common.mongo import inbox_document_id, inbox_insert_one
from notification_service.auctions import (
    AUCTION_EVENTS,
    auction_event_apply,
    event_with_title,
    listing_copy_keep,
)
from notification_service.config import SERVICE, load_config
from notification_service.db import (
    DIGEST_ITEMS,
    EMAILS,
    MESSAGE_EMAIL_GUARDS,
    NOTIFICATIONS,
    RECIPIENTS,
    Db,
    database,
    live_redis,
)
from notification_service.kinds import DAILY, INSTANT, Notice, NotificationKind, kinds_for_event
from notification_service.live.presence import user_is_online
from notification_service.preferences import preference_choice
from notification_service.selectors import notification_json, unread_count
from notification_service.services import live_send

logger = logging.getLogger(__name__)

WALLET_EVENTS = (
    "deposit.detected",
    "deposit.confirmed",
    "deposit.reversed",
    "withdrawal.requested",
    "withdrawal.broadcast",
    "withdrawal.confirmed",
    "withdrawal.failed",
    "withdrawal.held",
    "withdrawal.unconfirmed",
)
LISTING_EVENTS = (
    "listing.created",
    "listing.updated",
    "listing.published",
    "listing.ended",
    "listing.withdrawn",
)
MESSAGING_EVENTS = ("message.sent", "conversation.read")


def live_first(event: Event, live: redis.Redis) -> None:
    """The live messages an event makes, before anything is written."""
    name, data = event.detail_type, event.data
    if name in WALLET_EVENTS:
        payload = {"cause": name}
        for key in ("deposit_id", "withdrawal_id"):
            if data.get(key):
                payload[key] = data[key]
        live_send(live, f"user:{data['user_id']}", "wallet.updated", payload)
    elif name in LISTING_EVENTS:
        live_send(
            live,
            f"listing:{data['listing_id']}",
            "listing.updated",
            {"listing_id": data["listing_id"], "status": data["status"], "version": data["version"]},
        )
    elif name == "message.sent":
        message = {
            "id": data["message_id"],
            "conversation_id": data["conversation_id"],
            "sender_id": data["sender_id"],
            "body": data["body"],
            "sent_at": data["sent_at"],
        }
        for user_id in dict.fromkeys((data["recipient_id"], data["sender_id"])):
            live_send(
                live,
                f"user:{user_id}",
                "message.created",
                {"conversation_id": data["conversation_id"], "message": message},
            )
    elif name == "conversation.read":
        live_send(
            live,
            f"user:{data['other_id']}",
            "conversation.read",
            {
                "conversation_id": data["conversation_id"],
                "reader_id": data["reader_id"],
                "last_read_message_id": data["last_read_message_id"],
                "read_at": data["read_at"],
            },
        )


def _key(channel: str, kind: NotificationKind, notice: Notice) -> str:
    """The consumer key of one member's document of one kind for an event (see inbox_insert_one)."""
    return f"{SERVICE}:{channel}:{kind.type}:{notice.user_id}"


def notification_deliver(
    *, db: Db, live: redis.Redis, config: dict[str, Any], kind: NotificationKind, notice: Notice, event: Event
) -> None:
    """One notice: the in-app notification, then an email intent or a digest entry, as preferred."""
    choice = preference_choice(db, user_id=notice.user_id, kind=kind)
    now = datetime.now(UTC)
    content: dict[str, Any] = {
        "user_id": notice.user_id,
        "type": kind.type,
        "title": notice.title,
        "body": notice.body,
        "link": notice.link,
    }
    if choice.in_app:
        document = {**content, "created_at": now, "read_at": None, "event_id": event.event_id}
        key = _key("in_app", kind, notice)
        inbox_insert_one(db[NOTIFICATIONS], document, consumer=key, event=event)
        stored = db[NOTIFICATIONS].find_one({"_id": inbox_document_id(consumer=key, event=event)})
        if stored is not None and stored.get("read_at") is None:
            live_send(
                live,
                f"user:{notice.user_id}",
                "notification.created",
                {"notification": notification_json(stored), "unread_count": unread_count(db, notice.user_id)},
            )
    if choice.email == DAILY:
        item = {**content, "created_at": now, "digest_id": None, "event_id": event.event_id}
        inbox_insert_one(db[DIGEST_ITEMS], item, consumer=_key("digest", kind, notice), event=event)
    elif choice.email == INSTANT:
        email_queue(db=db, live=live, config=config, kind=kind, notice=notice, event=event, content=content)


def _quiet_period_allows(*, db: Db, config: dict[str, Any], notice: Notice, event: Event) -> bool:
    """At most one email per (recipient, conversation, quiet period): a unique insert decides. The
    period comes from the event's time, so a redelivery lands in the same period and, holding the
    guard, goes on to the (itself guarded) email insert."""
    period_s = max(int(config["MESSAGE_EMAIL_QUIET_MINUTES"]), 1) * 60
    period = int(event.metadata.occurred_at.timestamp() // period_s)
    guard_id = f"{notice.user_id}:{notice.group}:{period}"
    try:
        db[MESSAGE_EMAIL_GUARDS].insert_one(
            {"_id": guard_id, "event_id": event.event_id, "created_at": datetime.now(UTC)}
        )
        return True
    except DuplicateKeyError:
        guard = db[MESSAGE_EMAIL_GUARDS].find_one({"_id": guard_id}) or {}
        return guard.get("event_id") == event.event_id


def email_queue(
    *,
    db: Db,
    live: redis.Redis,
    config: dict[str, Any],
    kind: NotificationKind,
    notice: Notice,
    event: Event,
    content: dict[str, Any],
) -> bool:
    """An email intent for the mailer (state ``queued``), to a verified address only. A quiet-period
    type (new messages) is only emailed to a member not on dBay now, once per conversation per period."""
    recipient = db[RECIPIENTS].find_one({"_id": notice.user_id}) or {}
    if not recipient.get("email_verified") or not recipient.get("email"):
        logger.info("no verified address for %s: %s not emailed", notice.user_id, kind.type)
        return False
    if kind.quiet_period:
        try:
            if user_is_online(live, notice.user_id):
                return False
        except redis.RedisError:
            logger.warning("presence unknown for %s; emailing", notice.user_id, exc_info=True)
        if not _quiet_period_allows(db=db, config=config, notice=notice, event=event):
            return False
    now = datetime.now(UTC)
    document = {
        **content,
        "kind": "notification",
        "to": recipient["email"],
        "name": recipient.get("display_name") or recipient.get("username") or "",
        "subject": notice.title,
        "state": "queued",
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
        "last_error": None,
        "sent_at": None,
        "event_id": event.event_id,
    }
    return inbox_insert_one(db[EMAILS], document, consumer=_key("email", kind, notice), event=event)


def handle_event(event: Event) -> None:
    """Everything one event makes (see the module docstring)."""
    config = load_config()
    db = database(config["MONGODB_URI"])
    live = live_redis(config["REDIS_URL"])
    live_first(event, live)
    if event.detail_type in LISTING_EVENTS:
        listing_copy_keep(db, event.data)
    elif event.detail_type in AUCTION_EVENTS:
        auction_event_apply(db=db, live=live, event=event)
        event = event_with_title(db, event)
    for kind in kinds_for_event(event.detail_type):
        for notice in kind.notices(event):
            notification_deliver(db=db, live=live, config=config, kind=kind, notice=notice, event=event)
