"""Events of messaging-service: what it publishes and the handlers of what it consumes.

Payloads it publishes are pydantic models registered with ``register_event`` (``extra="forbid"``);
build an event with ``EVENTS.event(detail_type, payload)`` (correlation and causation ids filled in)
and write it with ``dbay_common.mongo.outbox_insert_one`` / ``outbox_update_one`` inside the
document it describes. ``HANDLERS`` maps a detail-type to a handler that parses the event's data and
calls one function of services.py; those functions write through ``inbox_insert_one`` /
``inbox_update_one`` so a redelivered event changes nothing twice.
"""

from dbay_common.mongo import EventSource
from dbay_common.transports.base import EventHandler
from messaging_service.config import SERVICE

EVENTS = EventSource(source="dbay.messaging", producer=SERVICE)

# detail-type -> handler.
HANDLERS: dict[str, EventHandler] = {}
