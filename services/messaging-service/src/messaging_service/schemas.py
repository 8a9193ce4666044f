"""Marshmallow schemas of the messaging API: what it reads (``*In``, ``*Args``) and answers (``*Out``).

Request bodies refuse unknown fields. Answers are built by ``selectors`` in these shapes; the schemas
document them (OpenAPI) and are checked against every answer by the Schemathesis test.
"""

from __future__ import annotations

import marshmallow as ma

from messaging_service.services import REPORT_OUTCOMES

ID = ma.fields.String(validate=ma.validate.Length(min=1, max=64))


class StrictSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE


class PageArgs(ma.Schema):
    limit = ma.fields.Integer(load_default=20, validate=ma.validate.Range(min=1, max=100))
    starting_after = ma.fields.String(validate=ma.validate.Length(min=1, max=64))


class MessagePageArgs(ma.Schema):
    limit = ma.fields.Integer(load_default=50, validate=ma.validate.Range(min=1, max=100))
    before = ma.fields.String(
        validate=ma.validate.Length(min=1, max=64), metadata={"description": "A message id: older messages."}
    )


class ReportListArgs(PageArgs):
    status = ma.fields.String(validate=ma.validate.OneOf(["open", "resolved"]))


class ConversationIn(StrictSchema):
    listing_id = ma.fields.String(validate=ma.validate.Length(min=1, max=64))
    recipient_id = ma.fields.UUID()
    body = ma.fields.String(required=True, metadata={"description": "1 to 2000 characters after trimming."})


class MessageIn(StrictSchema):
    body = ma.fields.String(required=True, metadata={"description": "1 to 2000 characters after trimming."})


class ReadIn(StrictSchema):
    last_read_message_id = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=64))


class BlockIn(StrictSchema):
    user_id = ma.fields.UUID(required=True)


class ReportIn(StrictSchema):
    reason = ma.fields.String(required=True, metadata={"description": "1 to 1000 characters."})


class ResolveIn(StrictSchema):
    outcome = ma.fields.String(required=True, validate=ma.validate.OneOf(REPORT_OUTCOMES))
    note = ma.fields.String(required=True, metadata={"description": "1 to 1000 characters."})


class MessageOut(ma.Schema):
    id = ma.fields.String(required=True)
    conversation_id = ma.fields.String(required=True)
    sender_id = ma.fields.String(required=True)
    body = ma.fields.String(required=True, metadata={"description": "Plain text exactly as typed (trimmed)."})
    sent_at = ma.fields.String(required=True)


class ListingRefOut(ma.Schema):
    id = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    photo_url = ma.fields.String(required=True, allow_none=True)


class PartyOut(ma.Schema):
    id = ma.fields.String(required=True)
    display_name = ma.fields.String(required=True)
    username = ma.fields.String(required=True)


class ConversationOut(ma.Schema):
    id = ma.fields.String(required=True)
    listing = ma.fields.Nested(ListingRefOut, required=True, allow_none=True)
    other_party = ma.fields.Nested(PartyOut, required=True)
    last_message = ma.fields.Nested(MessageOut, required=True, allow_none=True)
    unread_count = ma.fields.Integer(required=True)
    other_last_read_message_id = ma.fields.String(required=True, allow_none=True)
    blocked = ma.fields.Boolean(required=True, metadata={"description": "You blocked the other party."})
    blocked_by_other = ma.fields.Boolean(required=True)
    created_at = ma.fields.String(required=True)
    updated_at = ma.fields.String(required=True)


class ConversationPageOut(ma.Schema):
    data = ma.fields.List(ma.fields.Nested(ConversationOut), required=True)
    has_more = ma.fields.Boolean(required=True)


class MessagePageOut(ma.Schema):
    data = ma.fields.List(ma.fields.Nested(MessageOut), required=True)
    has_more = ma.fields.Boolean(required=True, metadata={"description": "Older messages exist."})


class UnreadCountOut(ma.Schema):
    unread_count = ma.fields.Integer(required=True)


class BlockOut(ma.Schema):
    user = ma.fields.Nested(PartyOut, required=True)
    blocked_at = ma.fields.String(required=True)


class BlockPageOut(ma.Schema):
    data = ma.fields.List(ma.fields.Nested(BlockOut), required=True)
    has_more = ma.fields.Boolean(required=True)


class ReportCreatedOut(ma.Schema):
    id = ma.fields.String(required=True)
    status = ma.fields.String(required=True)


class ReportOut(ma.Schema):
    id = ma.fields.String(required=True)
    status = ma.fields.String(required=True, metadata={"description": "open or resolved"})
    reason = ma.fields.String(required=True)
    conversation_id = ma.fields.String(required=True)
    message = ma.fields.Nested(MessageOut, required=True)
    reporter_id = ma.fields.String(required=True)
    reporter = ma.fields.Nested(PartyOut, required=True)
    reported_user_id = ma.fields.String(required=True)
    reported_user = ma.fields.Nested(PartyOut, required=True)
    created_at = ma.fields.String(required=True)
    outcome = ma.fields.String(required=True, allow_none=True)
    note = ma.fields.String(required=True, allow_none=True)
    resolved_by = ma.fields.String(required=True, allow_none=True)
    resolved_at = ma.fields.String(required=True, allow_none=True)


class ReportPageOut(ma.Schema):
    data = ma.fields.List(ma.fields.Nested(ReportOut), required=True)
    has_more = ma.fields.Boolean(required=True)


class ReportDetailOut(ReportOut):
    participants = ma.fields.List(ma.fields.Nested(PartyOut), required=True)
    listing = ma.fields.Nested(ListingRefOut, required=True, allow_none=True)
    messages = ma.fields.List(ma.fields.Nested(MessageOut), required=True)
    has_more_messages = ma.fields.Boolean(required=True)
