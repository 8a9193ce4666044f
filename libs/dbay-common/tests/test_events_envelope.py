"""The event envelope: what producers may build, and that every serialised form reads back equal."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest
from pydantic import BaseModel, ConfigDict, ValidationError

from dbay_common.events import Event, EventMetadata, register_event
from dbay_common.events.schemas import get_event_schema, lenient_model, registered_events, strict_model


def _metadata(**overrides: object) -> dict[str, object]:
    base: dict[str, object] = {
        "event_id": "0b5f6c1e-8d6a-4e52-9a55-2a2b1f8f4d11",
        "version": 1,
        "occurred_at": "2025-03-01T12:30:00.123456+00:00",
        "producer": "auction",
        "correlation_id": None,
    }
    base.update(overrides)
    return base


def _event_dict(**overrides: object) -> dict[str, object]:
    base: dict[str, object] = {
        "source": "dbay.auction",
        "detail-type": "bid.placed",
        "detail": {"metadata": _metadata(), "data": {"auction_id": "a1", "amount_koinu": "150000000"}},
    }
    base.update(overrides)
    return base


def test_new_fills_metadata() -> None:
    before = datetime.now(UTC)
    event = Event.new(
        source="dbay.auction", detail_type="bid.placed", data={"amount_koinu": "5"}, correlation_id="req-1"
    )
    after = datetime.now(UTC)

    assert event.source == "dbay.auction"
    assert event.detail_type == "bid.placed"
    assert event.data == {"amount_koinu": "5"}
    assert str(uuid.UUID(event.event_id)) == event.event_id
    assert event.metadata.version == 1
    assert event.metadata.producer == "auction"
    assert event.metadata.correlation_id == "req-1"
    assert before <= event.metadata.occurred_at <= after
    assert event.metadata.occurred_at.tzinfo is not None


def test_new_gives_each_event_its_own_id() -> None:
    first = Event.new(source="dbay.auction", detail_type="bid.placed", data={})
    second = Event.new(source="dbay.auction", detail_type="bid.placed", data={})
    assert first.event_id != second.event_id


@pytest.mark.parametrize(
    "detail_type",
    ["bid", "Bid.placed", "bid.Placed", "bid placed", "bid.placed.x", ".placed", "bid.", "bid-x.placed", ""],
)
def test_bad_detail_type_is_rejected(detail_type: str) -> None:
    with pytest.raises(ValidationError, match="detail-type"):
        Event.model_validate(_event_dict(**{"detail-type": detail_type}))
    with pytest.raises(ValidationError):
        Event.new(source="dbay.auction", detail_type=detail_type, data={})


def test_multi_word_names_are_accepted() -> None:
    event = Event.new(source="dbay.wallet-service", detail_type="deposit_address.assigned", data={})
    assert event.detail_type == "deposit_address.assigned"
    assert event.metadata.producer == "wallet-service"


@pytest.mark.parametrize("source", ["auction", "dbay.", "dbay.Auction", "aws.auction", "dbay.auction.x"])
def test_bad_source_is_rejected(source: str) -> None:
    with pytest.raises(ValidationError, match="source"):
        Event.model_validate(_event_dict(source=source))
    with pytest.raises(ValueError, match="source"):
        Event.new(source=source, detail_type="bid.placed", data={})


def test_extra_fields_are_rejected_at_every_level() -> None:
    with pytest.raises(ValidationError, match="Extra inputs"):
        Event.model_validate(_event_dict(id="x"))
    detail = {"metadata": _metadata(), "data": {}, "extra": 1}
    with pytest.raises(ValidationError, match="Extra inputs"):
        Event.model_validate(_event_dict(detail=detail))
    detail = {"metadata": _metadata(shard=3), "data": {}}
    with pytest.raises(ValidationError, match="Extra inputs"):
        Event.model_validate(_event_dict(detail=detail))


def test_naive_occurred_at_is_rejected() -> None:
    detail = {"metadata": _metadata(occurred_at="2025-03-01T12:30:00"), "data": {}}
    with pytest.raises(ValidationError, match="timezone"):
        Event.model_validate(_event_dict(detail=detail))
    with pytest.raises(ValidationError, match="timezone"):
        EventMetadata(event_id=str(uuid.uuid4()), version=1, occurred_at=datetime(2025, 1, 1), producer="x")


@pytest.mark.parametrize("version", [0, -1])
def test_version_must_be_positive(version: int) -> None:
    with pytest.raises(ValidationError, match="version"):
        Event.model_validate(_event_dict(detail={"metadata": _metadata(version=version), "data": {}}))


def test_event_id_must_be_a_uuid_and_is_normalised() -> None:
    with pytest.raises(ValidationError, match="event_id"):
        Event.model_validate(_event_dict(detail={"metadata": _metadata(event_id="abc"), "data": {}}))
    hex_id = "0B5F6C1E8D6A4E529A552A2B1F8F4D11"
    event = Event.model_validate(_event_dict(detail={"metadata": _metadata(event_id=hex_id), "data": {}}))
    assert event.event_id == "0b5f6c1e-8d6a-4e52-9a55-2a2b1f8f4d11"


def test_events_are_frozen() -> None:
    event = Event.model_validate(_event_dict())
    with pytest.raises(ValidationError, match="frozen"):
        event.source = "dbay.other"  # type: ignore[misc]


def test_json_round_trip_is_exact() -> None:
    event = Event.new(
        source="dbay.order",
        detail_type="order.paid",
        data={"order_id": "o1", "amount_koinu": "42", "items": [{"sku": "x", "qty": 2}], "note": None},
        version=2,
        correlation_id="c-9",
    )
    raw = event.to_json()
    as_dict = json.loads(raw)
    assert set(as_dict) == {"source", "detail-type", "detail"}
    assert as_dict["detail-type"] == "order.paid"
    assert as_dict == event.to_dict()
    assert Event.from_json(raw) == event
    assert Event.from_json(raw.encode()) == event
    assert Event.model_validate(event.to_dict()) == event


def test_eventbridge_entry_and_delivery_round_trip() -> None:
    event = Event.new(source="dbay.auction", detail_type="auction.closed", data={"auction_id": "a7"})
    entry = event.to_eventbridge_entry("dbay-bus")

    assert set(entry) == {"Source", "DetailType", "Detail", "EventBusName", "Time"}
    assert entry["Source"] == "dbay.auction"
    assert entry["DetailType"] == "auction.closed"
    assert entry["EventBusName"] == "dbay-bus"
    assert entry["Time"] == event.metadata.occurred_at
    assert json.loads(entry["Detail"]) == event.to_dict()["detail"]

    # What EventBridge hands to an SQS target: its own id and a second-precision time.
    delivered = {
        "version": "0",
        "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
        "detail-type": entry["DetailType"],
        "source": entry["Source"],
        "account": "123456789012",
        "time": "2025-03-01T12:30:00Z",
        "region": "us-east-1",
        "resources": [],
        "detail": json.loads(entry["Detail"]),
    }
    assert Event.from_eventbridge(delivered) == event
    assert Event.from_eventbridge({**delivered, "detail": entry["Detail"]}) == event


def test_data_must_be_json_serialisable() -> None:
    event = Event.new(
        source="dbay.order",
        detail_type="order.created",
        data={"order_id": uuid.UUID("12345678-1234-5678-1234-567812345678")},
    )
    assert event.data == {"order_id": "12345678-1234-5678-1234-567812345678"}
    with pytest.raises(Exception, match="serialize"):
        Event.new(source="dbay.order", detail_type="order.created", data={"x": object()})


# -- schema registry ---------------------------------------------------------------------------------


@register_event("widget.shipped", 1)
class WidgetShippedV1(BaseModel):
    widget_id: str
    amount_koinu: str
    carrier: str = "post"


@register_event("widget.shipped", 2)
class WidgetShippedV2(BaseModel):
    model_config = ConfigDict(extra="forbid")

    widget_id: str
    tracking_number: str


class WidgetShippedReader(BaseModel):
    """What a consumer of widget.shipped cares about: one field."""

    model_config = ConfigDict(extra="forbid")

    widget_id: str


def test_registered_schema_is_enforced_strictly_for_producers() -> None:
    event = Event.new(
        source="dbay.listing", detail_type="widget.shipped", data={"widget_id": "w1", "amount_koinu": "5"}
    )
    assert event.data == {"widget_id": "w1", "amount_koinu": "5", "carrier": "post"}

    with pytest.raises(ValidationError, match="Extra inputs"):
        Event.new(
            source="dbay.listing",
            detail_type="widget.shipped",
            data={"widget_id": "w1", "amount_koinu": "5", "surprise": True},
        )
    with pytest.raises(ValidationError, match="amount_koinu"):
        Event.new(source="dbay.listing", detail_type="widget.shipped", data={"widget_id": "w1"})


def test_versions_are_validated_independently() -> None:
    event = Event.new(
        source="dbay.listing",
        detail_type="widget.shipped",
        data=WidgetShippedV2(widget_id="w1", tracking_number="T1"),
        version=2,
    )
    assert event.version == 2
    assert event.data == {"widget_id": "w1", "tracking_number": "T1"}
    with pytest.raises(ValidationError, match="tracking_number"):
        Event.new(
            source="dbay.listing",
            detail_type="widget.shipped",
            data={"widget_id": "w1", "amount_koinu": "5"},
            version=2,
        )


def test_unregistered_types_pass_data_through() -> None:
    assert get_event_schema("gadget.made", 1) is None
    event = Event.new(source="dbay.listing", detail_type="gadget.made", data={"anything": [1, 2]})
    assert event.data == {"anything": [1, 2]}


def test_consumers_parse_leniently() -> None:
    event = Event.new(
        source="dbay.listing", detail_type="widget.shipped", data={"widget_id": "w1", "amount_koinu": "5"}
    )
    parsed = event.parse_data(WidgetShippedReader)
    assert isinstance(parsed, WidgetShippedReader)
    assert parsed.widget_id == "w1"
    # The model itself stays strict: only the consumer-side view ignores extras.
    with pytest.raises(ValidationError):
        WidgetShippedReader.model_validate(event.data)
    assert lenient_model(WidgetShippedReader) is lenient_model(WidgetShippedReader)
    assert strict_model(WidgetShippedV2) is WidgetShippedV2


def test_registry_rejects_conflicting_registrations() -> None:
    assert registered_events()[("widget.shipped", 1)] is WidgetShippedV1
    with pytest.raises(ValueError, match="already registered"):

        @register_event("widget.shipped", 1)
        class Other(BaseModel):
            widget_id: str

    with pytest.raises(ValueError, match="detail_type"):
        register_event("WidgetShipped", 1)
    with pytest.raises(ValueError, match="version"):
        register_event("widget.shipped", 0)
