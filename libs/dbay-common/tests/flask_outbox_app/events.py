"""Events of the reference slice: the payload it publishes, and a consumer's handler of it."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict
from pymongo.database import Database

from dbay_common.events.envelope import Event
from dbay_common.events.schemas import register_event
from dbay_common.mongo import EventSource, inbox_insert_one, inbox_update_one
from dbay_common.transports.base import EventHandler

SERVICE = "widget-service"
EVENTS = EventSource(source="dbay.widget", producer=SERVICE)
CONSUMER = "widget-tally"
STATS_ID = "totals"


@register_event("widget.created", 1)
class WidgetCreatedV1(BaseModel):
    model_config = ConfigDict(extra="forbid")

    widget_id: str
    name: str
    price_koinu: str


class WidgetCreated(BaseModel):
    """What the consumer reads (tolerant: it ignores fields it does not name)."""

    widget_id: str
    price_koinu: str


def consumer_handlers(database: Database[dict[str, Any]]) -> dict[str, EventHandler]:
    """The consumer's ``HANDLERS``: one receipt document per widget and a running total.

    Two documents, each with its own guard keyed by the same event: a process killed between the two
    writes applies the second on redelivery and skips the first.
    """

    def on_widget_created(event: Event) -> None:
        data = event.parse_data(WidgetCreated)
        inbox_insert_one(
            database["widget_receipts"],
            {"widget_id": data.widget_id, "price_koinu": data.price_koinu},
            consumer=CONSUMER,
            event=event,
        )
        inbox_update_one(
            database["widget_stats"],
            STATS_ID,
            {"$inc": {"count": 1, "total_koinu": int(data.price_koinu)}},
            consumer=CONSUMER,
            event=event,
            locks=database["document_locks"],
        )

    return {"widget.created": on_widget_created}
