"""Event envelope and payload schemas shared by every dBay service (see ``envelope`` for the shape)."""

from dbay_common.events.envelope import Event, EventDetail, EventMetadata
from dbay_common.events.schemas import get_event_schema, register_event

__all__ = ["Event", "EventDetail", "EventMetadata", "get_event_schema", "register_event"]
