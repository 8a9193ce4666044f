"""Request and response shapes of the public API (marshmallow, documented by flask-smorest)."""

from __future__ import annotations

import marshmallow as ma

from notification_service.kinds import DAILY, INSTANT, OFF

EMAIL_CHOICES = (INSTANT, DAILY, OFF)


class PageArgs(ma.Schema):
    limit = ma.fields.Integer(load_default=20, validate=ma.validate.Range(min=1, max=100))
    starting_after = ma.fields.String(
        validate=ma.validate.Length(min=1, max=200),
        metadata={"description": "The last id of the previous page."},
    )


class NotificationOut(ma.Schema):
    id = ma.fields.String(required=True)
    type = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    body = ma.fields.String(required=True)
    link = ma.fields.String(
        required=True, allow_none=True, metadata={"description": "An app path, e.g. /wallet."}
    )
    created_at = ma.fields.String(required=True, metadata={"format": "date-time"})
    read_at = ma.fields.String(required=True, allow_none=True, metadata={"format": "date-time"})


class NotificationPageOut(ma.Schema):
    data = ma.fields.List(ma.fields.Nested(NotificationOut), required=True)
    has_more = ma.fields.Boolean(required=True)


class UnreadCountOut(ma.Schema):
    unread_count = ma.fields.Integer(required=True)


class TypePreferenceOut(ma.Schema):
    type = ma.fields.String(required=True)
    label = ma.fields.String(required=True)
    description = ma.fields.String(required=True)
    in_app = ma.fields.Boolean(required=True)
    email = ma.fields.String(required=True, validate=ma.validate.OneOf(EMAIL_CHOICES))
    email_choices = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(EMAIL_CHOICES)), required=True)
    required = ma.fields.Boolean(required=True)


class PreferencesOut(ma.Schema):
    email_digest_hour_utc = ma.fields.Integer(required=True)
    types = ma.fields.List(ma.fields.Nested(TypePreferenceOut), required=True)


class TypePreferenceIn(ma.Schema):
    type = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=64))
    in_app = ma.fields.Boolean(required=True)
    email = ma.fields.String(required=True, validate=ma.validate.OneOf(EMAIL_CHOICES))


class PreferencesIn(ma.Schema):
    types = ma.fields.List(
        ma.fields.Nested(TypePreferenceIn), load_default=list, validate=ma.validate.Length(max=50)
    )
    email_digest_hour_utc = ma.fields.Integer(validate=ma.validate.Range(min=0, max=23))


class TokenArgs(ma.Schema):
    token = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=1000))


class OneClickForm(ma.Schema):
    list_unsubscribe = ma.fields.String(
        data_key="List-Unsubscribe", metadata={"description": "`One-Click` (RFC 8058)."}
    )


class UnsubscribePreviewOut(ma.Schema):
    type = ma.fields.String(required=True)
    label = ma.fields.String(required=True)
    email_masked = ma.fields.String(required=True)


class UnsubscribeOut(ma.Schema):
    type = ma.fields.String(required=True)
    label = ma.fields.String(required=True)
    email = ma.fields.String(required=True)


class EmailListArgs(PageArgs):
    state = ma.fields.String(validate=ma.validate.OneOf(("queued", "sent", "dead")))


class EmailOut(ma.Schema):
    id = ma.fields.String(required=True)
    user_id = ma.fields.String(required=True)
    to = ma.fields.String(required=True)
    type = ma.fields.String(required=True)
    subject = ma.fields.String(required=True)
    state = ma.fields.String(required=True)
    attempts = ma.fields.Integer(required=True)
    last_error = ma.fields.String(required=True, allow_none=True)
    created_at = ma.fields.String(required=True, metadata={"format": "date-time"})
    next_attempt_at = ma.fields.String(required=True, allow_none=True, metadata={"format": "date-time"})
    sent_at = ma.fields.String(required=True, allow_none=True, metadata={"format": "date-time"})


class EmailPageOut(ma.Schema):
    data = ma.fields.List(ma.fields.Nested(EmailOut), required=True)
    has_more = ma.fields.Boolean(required=True)
