"""Events user-service publishes (typed payloads) and consumes (``HANDLERS``).

Published through the outbox by ``services.py``; documented in ``docs/event-catalog.md``. Payloads
never carry passwords, password hashes, tokens, TOTP secrets or recovery codes.

`HANDLERS` maps an event's detail-type to the function that handles it; `manage.py consume_events`
reads it through settings.DBAY_EVENT_HANDLERS. Each handler calls one service function.
"""

from collections.abc import Callable

from pydantic import AwareDatetime, BaseModel, ConfigDict

from dbay_common.events.envelope import Event
from dbay_common.events.schemas import register_event

SOURCE = "dbay.user"


@register_event("user.registered", 1)
class UserRegisteredV1(BaseModel):
    """A member signed up. ``email`` is not verified yet (see ``user.email_verified``)."""

    model_config = ConfigDict(extra="forbid")

    user_id: str
    username: str
    email: str
    roles: list[str]
    registered_at: AwareDatetime


@register_event("user.email_verified", 1)
class UserEmailVerifiedV1(BaseModel):
    """A member proved they receive mail at ``email`` (verification link or password reset)."""

    model_config = ConfigDict(extra="forbid")

    user_id: str
    email: str
    verified_at: AwareDatetime


@register_event("user.profile_updated", 1)
class UserProfileUpdatedV1(BaseModel):
    """A member changed their public profile; carries the whole profile and which fields changed."""

    model_config = ConfigDict(extra="forbid")

    user_id: str
    username: str
    display_name: str
    avatar_url: str
    location: str
    bio: str
    changed_fields: list[str]
    updated_at: AwareDatetime


HANDLERS: dict[str, Callable[[Event], None]] = {}
