"""Public HTTP API of notification-service under /api/v1/notifications/.

Thin routes: parse input, call one function, render output. Every route needs a signed-in member
except the unsubscribe ones (the signed token is the authority) and the index.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from dbay_common.flask import Blueprint, ErrorResponseSchema, add_api_index, jwt_required, request_user_id
from notification_service.db import database, live_redis
from notification_service.preferences import preferences_get, preferences_update
from notification_service.schemas import (
    EmailListArgs,
    EmailOut,
    EmailPageOut,
    NotificationOut,
    NotificationPageOut,
    OneClickForm,
    PageArgs,
    PreferencesIn,
    PreferencesOut,
    TokenArgs,
    UnreadCountOut,
    UnsubscribeOut,
    UnsubscribePreviewOut,
)
from notification_service.selectors import email_json, email_page, notification_page, unread_count
from notification_service.services import email_replay, notification_mark_read, notifications_mark_all_read
from notification_service.unsubscribe import unsubscribe_apply, unsubscribe_preview

API_PREFIX = "/api/v1/notifications"
STAFF = ("staff",)

blueprint = Blueprint(
    "notifications", __name__, url_prefix=API_PREFIX, description="notification-service public API"
)

# GET {API_PREFIX}/: which service answers, its version, where its OpenAPI document and docs are.
add_api_index(blueprint)


def _db() -> Any:
    return database(current_app.config["MONGODB_URI"])


def _live() -> Any:
    return live_redis(current_app.config["REDIS_URL"])


def _user() -> str:
    return str(request_user_id())


@blueprint.route("/items", methods=["GET"])
@jwt_required()
@blueprint.arguments(PageArgs, location="query")
@blueprint.response(200, NotificationPageOut)
@blueprint.alt_response(400, schema=ErrorResponseSchema, description="Invalid cursor or limit.")
def notification_list_view(args: dict[str, Any]) -> dict[str, Any]:
    """Your notifications, newest first; pass the last id as `starting_after` for the next page."""
    return notification_page(
        _db(), user_id=_user(), limit=args["limit"], starting_after=args.get("starting_after")
    )


@blueprint.route("/unread-count", methods=["GET"])
@jwt_required()
@blueprint.response(200, UnreadCountOut)
def unread_count_view() -> dict[str, Any]:
    """How many of your notifications are unread (the bell)."""
    return {"unread_count": unread_count(_db(), _user())}


@blueprint.route("/items/<string:notification_id>/read", methods=["POST"])
@jwt_required()
@blueprint.response(200, NotificationOut)
@blueprint.alt_response(404, schema=ErrorResponseSchema, description="No such notification of yours.")
def notification_read_view(notification_id: str) -> dict[str, Any]:
    """Mark one notification read (again is fine: it stays read since the first time)."""
    return notification_mark_read(
        database=_db(), live=_live(), user_id=_user(), notification_id=notification_id
    )


@blueprint.route("/read-all", methods=["POST"])
@jwt_required()
@blueprint.response(200, UnreadCountOut)
def notification_read_all_view() -> dict[str, Any]:
    """Mark all your notifications read."""
    return {"unread_count": notifications_mark_all_read(database=_db(), live=_live(), user_id=_user())}


@blueprint.route("/preferences", methods=["GET"])
@jwt_required()
@blueprint.response(200, PreferencesOut)
def preferences_view() -> dict[str, Any]:
    """Every notification type with your in-app and email choice."""
    return preferences_get(_db(), user_id=_user(), default_hour=current_app.config["DIGEST_DEFAULT_HOUR_UTC"])


@blueprint.route("/preferences", methods=["PUT"])
@jwt_required()
@blueprint.arguments(PreferencesIn)
@blueprint.response(200, PreferencesOut)
@blueprint.alt_response(
    400,
    schema=ErrorResponseSchema,
    description="Unknown type, a choice it does not offer, or a required type off.",
)
def preferences_update_view(payload: dict[str, Any]) -> dict[str, Any]:
    """Change the listed types (the others keep their choice). Security types cannot be turned off."""
    return preferences_update(
        _db(),
        user_id=_user(),
        changes=payload["types"],
        digest_hour_utc=payload.get("email_digest_hour_utc"),
        default_hour=current_app.config["DIGEST_DEFAULT_HOUR_UTC"],
    )


@blueprint.route("/unsubscribe", methods=["GET"])
@blueprint.arguments(TokenArgs, location="query")
@blueprint.response(200, UnsubscribePreviewOut)
@blueprint.alt_response(400, schema=ErrorResponseSchema, description="The link is not valid.")
def unsubscribe_preview_view(args: dict[str, Any]) -> dict[str, Any]:
    """What an email's unsubscribe link would turn off (no sign-in: the signed token is enough)."""
    return unsubscribe_preview(_db(), token=args["token"], secret=current_app.config["UNSUBSCRIBE_SECRET"])


@blueprint.route("/unsubscribe", methods=["POST"])
@blueprint.arguments(TokenArgs)
@blueprint.response(200, UnsubscribeOut)
@blueprint.alt_response(400, schema=ErrorResponseSchema, description="Invalid link, or a security type.")
def unsubscribe_view(payload: dict[str, Any]) -> dict[str, Any]:
    """Stop the emails an unsubscribe link names (no sign-in)."""
    return unsubscribe_apply(_db(), token=payload["token"], secret=current_app.config["UNSUBSCRIBE_SECRET"])


@blueprint.route("/unsubscribe/one-click", methods=["POST"])
@blueprint.arguments(TokenArgs, location="query")
@blueprint.arguments(OneClickForm, location="form")
@blueprint.response(200, UnsubscribeOut)
@blueprint.alt_response(400, schema=ErrorResponseSchema, description="Invalid link, or a security type.")
def unsubscribe_one_click_view(args: dict[str, Any], _form: dict[str, Any]) -> dict[str, Any]:
    """RFC 8058 one-click unsubscribe: the mail client POSTs `List-Unsubscribe=One-Click` here."""
    return unsubscribe_apply(_db(), token=args["token"], secret=current_app.config["UNSUBSCRIBE_SECRET"])


@blueprint.route("/staff/emails", methods=["GET"])
@jwt_required(roles=STAFF)
@blueprint.arguments(EmailListArgs, location="query")
@blueprint.response(200, EmailPageOut)
@blueprint.alt_response(400, schema=ErrorResponseSchema, description="Invalid cursor, limit or state.")
@blueprint.alt_response(403, schema=ErrorResponseSchema, description="The `staff` role is required.")
def staff_email_list_view(args: dict[str, Any]) -> dict[str, Any]:
    """Emails, oldest first, of one state (`dead`: every attempt failed)."""
    return email_page(
        _db(), state=args.get("state"), limit=args["limit"], starting_after=args.get("starting_after")
    )


@blueprint.route("/staff/emails/<string:email_id>/replay", methods=["POST"])
@jwt_required(roles=STAFF)
@blueprint.response(200, EmailOut)
@blueprint.alt_response(403, schema=ErrorResponseSchema, description="The `staff` role is required.")
@blueprint.alt_response(404, schema=ErrorResponseSchema, description="No such email.")
@blueprint.alt_response(409, schema=ErrorResponseSchema, description="The email is not dead.")
def staff_email_replay_view(email_id: str) -> dict[str, Any]:
    """Queue a dead email again; the mailer sends it on its next pass."""
    return email_json(email_replay(database=_db(), email_id=email_id))
