"""Writes of the reference slice."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from dbay_common.errors import Conflict
from dbay_common.money import Koinu
from dbay_common.mongo import RelayKick, outbox_insert_one
from tests.flask_outbox_app.events import EVENTS, WidgetCreatedV1


def widget_create(
    *, database: Database[dict[str, Any]], name: str, price_koinu: Koinu, kick: RelayKick | None = None
) -> dict[str, Any]:
    """Create a widget and publish ``widget.created`` through its outbox.

    Invariants: names are unique (a unique index); the widget and its event are one document written
    by one ``insert_one``, so a refused or failed insert leaves neither. Emits ``widget.created`` v1.
    """
    widget_id = str(uuid.uuid4())
    event = EVENTS.event(
        "widget.created",
        WidgetCreatedV1(widget_id=widget_id, name=name, price_koinu=price_koinu.to_json()),
    )
    document = {
        "_id": widget_id,
        "name": name,
        "price_koinu": int(price_koinu),
        "created_at": datetime.now(UTC),
    }
    try:
        outbox_insert_one(database["widgets"], document, event, kick=kick)
    except DuplicateKeyError as error:
        raise Conflict(f"A widget named {name!r} exists.", code="widget_name_taken", param="name") from error
    return document
