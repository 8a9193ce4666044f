"""Events of messaging-service: payloads it publishes (``EVENTS``) and ``HANDLERS`` of what it consumes.

Published (through the outbox of the changed document, docs/flask-outbox.md): ``message.sent`` (in the
message's own insert) and ``conversation.read`` (in the conversation's read-pointer update).

Consumed: the listing events (a copy of each listing's seller, title, status and photo, newest
``version`` wins), ``user.registered`` / ``user.profile_updated`` (a copy of each member's names,
newest wins), ``user.suspended`` / ``user.reinstated`` (whether a member may send, newest wins) and
our own ``message.sent`` (moves the conversation up the inbox if the process that sent it died
before doing so). Every write a handler makes is inbox-guarded (docs/event-catalog.md), except the
suspension copy, which is idempotent by its time alone.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from dbay_common.events.envelope import Event
from dbay_common.events.schemas import register_event
from dbay_common.mongo import EventSource
from dbay_common.transports.base import EventHandler
from messaging_service.config import SERVICE

EVENTS = EventSource(source="dbay.messaging", producer=SERVICE)
#: The consumer name of this service's inbox keys (``applied_events`` on the copies it keeps).
CONSUMER = SERVICE

LISTING_EVENTS = (
    "listing.created",
    "listing.updated",
    "listing.published",
    "listing.ended",
    "listing.withdrawn",
)


@register_event("message.sent", 1)
class MessageSentV1(BaseModel):
    """A member sent a message (the notification-service tells the recipient)."""

    model_config = ConfigDict(extra="forbid")

    message_id: str
    conversation_id: str
    listing_id: str | None
    listing_title: str | None
    sender_id: str
    sender_name: str
    recipient_id: str
    body: str
    sent_at: str


@register_event("conversation.read", 1)
class ConversationReadV1(BaseModel):
    """A member read a conversation up to a message (the other party sees the read receipt)."""

    model_config = ConfigDict(extra="forbid")

    conversation_id: str
    reader_id: str
    other_id: str
    last_read_message_id: str
    read_at: str


class ListingCopy(BaseModel):
    """What this service keeps of a listing event's snapshot (it ignores the other fields)."""

    listing_id: str
    version: int
    seller_id: str
    title: str = ""
    status: str
    thumbnail_url: str | None = None


class MemberRegistered(BaseModel):
    user_id: str
    username: str
    registered_at: str


class MemberProfile(BaseModel):
    user_id: str
    username: str
    display_name: str = ""
    updated_at: str


class MemberSuspended(BaseModel):
    user_id: str
    suspended_at: str


class MemberReinstated(BaseModel):
    user_id: str
    reinstated_at: str


class MessageSent(BaseModel):
    message_id: str
    conversation_id: str


def on_listing_event(event: Event) -> None:
    from messaging_service.services import listing_copy_apply

    listing_copy_apply(event=event, data=event.parse_data(ListingCopy))


def on_user_registered(event: Event) -> None:
    from messaging_service.services import member_copy_apply

    data = event.parse_data(MemberRegistered)
    member_copy_apply(
        event=event, user_id=data.user_id, username=data.username, display_name=None, at=data.registered_at
    )


def on_user_profile_updated(event: Event) -> None:
    from messaging_service.services import member_copy_apply

    data = event.parse_data(MemberProfile)
    member_copy_apply(
        event=event,
        user_id=data.user_id,
        username=data.username,
        display_name=data.display_name,
        at=data.updated_at,
    )


def on_user_suspended(event: Event) -> None:
    from messaging_service.services import member_suspension_apply

    data = event.parse_data(MemberSuspended)
    member_suspension_apply(user_id=data.user_id, is_suspended=True, at=data.suspended_at)


def on_user_reinstated(event: Event) -> None:
    from messaging_service.services import member_suspension_apply

    data = event.parse_data(MemberReinstated)
    member_suspension_apply(user_id=data.user_id, is_suspended=False, at=data.reinstated_at)


def on_message_sent(event: Event) -> None:
    from messaging_service.services import conversation_activity_catch_up

    if event.source != EVENTS.source:
        return
    data = event.parse_data(MessageSent)
    conversation_activity_catch_up(conversation_id=data.conversation_id, message_id=data.message_id)


# detail-type -> handler; each parses the event's data and calls one function of services.py.
HANDLERS: dict[str, EventHandler] = {
    **{detail_type: on_listing_event for detail_type in LISTING_EVENTS},
    "user.registered": on_user_registered,
    "user.profile_updated": on_user_profile_updated,
    "user.suspended": on_user_suspended,
    "user.reinstated": on_user_reinstated,
    "message.sent": on_message_sent,
}
