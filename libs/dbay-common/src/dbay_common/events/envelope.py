"""The dBay event envelope, in Amazon EventBridge's shape.

Every event, whichever transport carries it, looks like what EventBridge delivers::

    {"source": "dbay.auction", "detail-type": "bid.placed",
     "detail": {"metadata": {"event_id", "version", "occurred_at", "producer", "correlation_id",
                             "causation_id"},
                "data": {...}}}

Why this shape: the AWS deployment publishes with ``PutEvents`` and routes with rules on ``source`` and
``detail-type``; keeping the same shape on Redis Streams means handlers never know which bus they run
on. Our own identity and ordering facts (``event_id``, ``occurred_at``, ``version``) live inside
``detail.metadata`` because EventBridge replaces the top-level ``id`` and truncates ``time`` to seconds.

The models are frozen and forbid unknown fields so a typo in a producer fails loudly at the producer.
The ``data`` payload is checked strictly against a registered schema (see :mod:`.schemas`) when
producing; consumers parse it leniently with :meth:`Event.parse_data`.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
)
from pydantic_core import to_jsonable_python

__all__ = ["DETAIL_TYPE_PATTERN", "SOURCE_PATTERN", "Event", "EventDetail", "EventMetadata"]

#: ``dbay.<service>``: lower-case service name, words joined by ``-`` or ``_``.
SOURCE_PATTERN = r"^dbay\.[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$"
#: ``<entity>.<past_verb>`` such as ``bid.placed`` or ``deposit_address.assigned``.
DETAIL_TYPE_PATTERN = r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*\.[a-z][a-z0-9]*(?:_[a-z0-9]+)*$"

_SOURCE_RE = re.compile(SOURCE_PATTERN)

ModelT = TypeVar("ModelT", bound=BaseModel)


class EventMetadata(BaseModel):
    """Facts about one event that every consumer may rely on.

    ``event_id`` is the idempotency key consumers record in their inbox; it is normalised to the
    canonical hyphenated lower-case UUID string so the same event can never be recorded twice under
    two spellings.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    event_id: str
    version: int = Field(ge=1)
    occurred_at: AwareDatetime
    producer: str = Field(min_length=1)
    #: The request or event chain this event belongs to (the id of the first request that caused it).
    correlation_id: str | None = None
    #: The ``event_id`` of the event whose handling produced this one; ``None`` when a request did.
    causation_id: str | None = None

    @field_validator("event_id")
    @classmethod
    def _canonical_uuid(cls, value: str) -> str:
        try:
            return str(uuid.UUID(value))
        except ValueError as exc:
            raise ValueError("event_id must be a UUID (hex or hyphenated)") from exc


class EventDetail(BaseModel):
    """The EventBridge ``detail`` object: our metadata plus the event's own data."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    metadata: EventMetadata
    data: dict[str, Any]


class Event(BaseModel):
    """One immutable domain event. Build new ones with :meth:`Event.new`."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    source: str = Field(pattern=SOURCE_PATTERN)
    # validation/serialization aliases (not ``alias``) keep ``detail_type=`` as the constructor keyword
    # for type checkers while the wire name stays EventBridge's ``detail-type``.
    detail_type: str = Field(
        validation_alias="detail-type", serialization_alias="detail-type", pattern=DETAIL_TYPE_PATTERN
    )
    detail: EventDetail

    # -- construction -------------------------------------------------------------------------------
    @classmethod
    def new(
        cls,
        *,
        source: str,
        detail_type: str,
        data: Mapping[str, Any] | BaseModel,
        version: int = 1,
        correlation_id: str | None = None,
        causation_id: str | None = None,
        producer: str | None = None,
    ) -> Event:
        """Create an event to publish now, with a fresh ``event_id`` and ``occurred_at``.

        ``data`` is validated strictly (unknown fields rejected) against the model registered for
        ``(detail_type, version)`` when there is one, and is always reduced to plain JSON values so
        what the producer holds is exactly what consumers will read. ``producer`` defaults to the
        service part of ``source`` (``dbay.auction`` -> ``auction``).
        """
        # Imported here: schemas imports this module for the Event type.
        from dbay_common.events.schemas import validate_event_data

        if not _SOURCE_RE.match(source):
            raise ValueError(f"source must match {SOURCE_PATTERN!r}, got {source!r}")
        raw: Any = data.model_dump(mode="json") if isinstance(data, BaseModel) else dict(data)
        checked = validate_event_data(detail_type, version, raw)
        metadata = EventMetadata(
            event_id=str(uuid.uuid4()),
            version=version,
            occurred_at=datetime.now(UTC),
            producer=producer or source.removeprefix("dbay."),
            correlation_id=correlation_id,
            causation_id=causation_id,
        )
        return cls(
            source=source,
            detail_type=detail_type,
            detail=EventDetail(metadata=metadata, data=to_jsonable_python(checked)),
        )

    # -- convenient read access ---------------------------------------------------------------------
    @property
    def metadata(self) -> EventMetadata:
        return self.detail.metadata

    @property
    def data(self) -> dict[str, Any]:
        return self.detail.data

    @property
    def event_id(self) -> str:
        return self.detail.metadata.event_id

    @property
    def version(self) -> int:
        return self.detail.metadata.version

    def parse_data(self, model: type[ModelT]) -> ModelT:
        """Read ``data`` as ``model``, ignoring fields the consumer does not declare.

        Consumers own a small model of only what they need, so a producer adding a field never
        breaks them (the tolerant-reader half of "producers strict, consumers lenient").
        """
        from dbay_common.events.schemas import lenient_model

        return lenient_model(model).model_validate(self.detail.data)

    # -- serialisation ------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-compatible dict in the EventBridge shape (``detail-type`` with a hyphen)."""
        return self.model_dump(mode="json", by_alias=True)

    def to_json(self) -> str:
        return self.model_dump_json(by_alias=True)

    @classmethod
    def from_json(cls, raw: str | bytes) -> Event:
        return cls.model_validate_json(raw)

    def to_eventbridge_entry(self, bus_name: str) -> dict[str, Any]:
        """One ``PutEvents`` entry. EventBridge adds its own ``id``; ours stays in the metadata."""
        return {
            "Source": self.source,
            "DetailType": self.detail_type,
            "Detail": json.dumps(self.detail.model_dump(mode="json"), separators=(",", ":")),
            "EventBusName": bus_name,
            "Time": self.detail.metadata.occurred_at,
        }

    @classmethod
    def from_eventbridge(cls, message_body: Mapping[str, Any]) -> Event:
        """Parse the event EventBridge delivers to an SQS target (the message body, already decoded).

        EventBridge's own fields (``id``, ``time``, ``account``, ``region``, ``resources``,
        ``version``) are envelope plumbing and deliberately dropped; ``detail`` may arrive as an object
        (the normal case) or as a JSON string (an input transformer that stringified it).
        """
        detail = message_body["detail"]
        if isinstance(detail, str | bytes):
            detail = json.loads(detail)
        return cls.model_validate(
            {"source": message_body["source"], "detail-type": message_body["detail-type"], "detail": detail}
        )
