"""Events of notification-service: payloads it publishes (``EVENTS``), ``HANDLERS`` of what it consumes.

It publishes nothing yet. It consumes every event a notification type names (``kinds.KINDS``), the
events that only make live messages (wallet, listing, messaging: ``handlers.py``) and the
``user.*`` events that keep its recipient directory. The pattern (inbox-guarded handler writes) is
docs/flask-outbox.md, with the reference slice in libs/dbay-common/tests/flask_outbox_app/.
"""

from pydantic import BaseModel

from dbay_common.events.envelope import Event
from dbay_common.mongo import EventSource
from dbay_common.transports.base import EventHandler
from notification_service.auctions import AUCTION_EVENTS
from notification_service.config import SERVICE
from notification_service.db import database
from notification_service.handlers import LISTING_EVENTS, MESSAGING_EVENTS, WALLET_EVENTS, handle_event
from notification_service.kinds import NOTIFYING_EVENTS
from notification_service.services import (
    recipient_email_verify,
    recipient_profile_update,
    recipient_register,
)

EVENTS = EventSource(source="dbay.notification", producer=SERVICE)


class UserRegistered(BaseModel):
    """What the directory reads (tolerant: other fields are ignored)."""

    user_id: str
    username: str
    email: str


class UserEmailVerified(BaseModel):
    user_id: str
    email: str


class UserProfileUpdated(BaseModel):
    user_id: str
    username: str
    display_name: str
    updated_at: str


def on_user_registered(event: Event) -> None:
    data = event.parse_data(UserRegistered)
    recipient_register(database=database(), user_id=data.user_id, username=data.username, email=data.email)


def on_user_email_verified(event: Event) -> None:
    data = event.parse_data(UserEmailVerified)
    recipient_email_verify(database=database(), user_id=data.user_id, email=data.email)


def on_user_profile_updated(event: Event) -> None:
    data = event.parse_data(UserProfileUpdated)
    recipient_profile_update(
        database=database(),
        user_id=data.user_id,
        username=data.username,
        display_name=data.display_name,
        updated_at=data.updated_at,
    )


# detail-type -> handler.
HANDLERS: dict[str, EventHandler] = {
    **{
        name: handle_event
        for name in sorted(
            {*NOTIFYING_EVENTS, *WALLET_EVENTS, *LISTING_EVENTS, *MESSAGING_EVENTS, *AUCTION_EVENTS}
        )
    },
    "user.registered": on_user_registered,
    "user.email_verified": on_user_email_verified,
    "user.profile_updated": on_user_profile_updated,
}
