"""Public HTTP API of messaging-service under /api/v1/messaging/ (docs/messaging.md).

Thin routes: parse input, call one function, render output. Every route needs a signed-in member;
the staff routes need the ``staff`` role as well. A conversation is visible only to its two parties
(anyone else gets 404); staff read one only through a report about it (``staff/reports/<id>``).
The service answers JSON only: message bodies are returned exactly as typed, never as HTML.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, g
from pymongo.database import Database

from dbay_common.errors import InvalidRequest
from dbay_common.flask import Blueprint, ErrorResponseSchema, add_api_index, idempotent, jwt_required
from dbay_common.mongo import RelayKick
from dbay_common.pagination import PageParams
from dbay_common.ratelimit import Limit, Rate, RateLimiter
from messaging_service import schemas, selectors, services
from messaging_service.bodies import free_text_clean, message_body_clean
from messaging_service.db import STORE, ensure_indexes

API_PREFIX = "/api/v1/messaging"

blueprint = Blueprint(
    "messaging", __name__, url_prefix=API_PREFIX, description="messaging-service public API"
)

# GET {API_PREFIX}/: which service answers, its version, where its OpenAPI document and docs are.
add_api_index(blueprint)

NOT_FOUND = {"schema": ErrorResponseSchema, "description": "Not yours, or it does not exist."}
FORBIDDEN = {"schema": ErrorResponseSchema, "description": "`blocked`: one of you blocked the other."}
TOO_MANY = {"schema": ErrorResponseSchema, "description": "`rate_limited`: too many messages; wait a moment."}
STAFF_ONLY = {"schema": ErrorResponseSchema, "description": "`missing_role`: staff only."}
RATE_LIMIT_MESSAGE = "You are sending messages too quickly. Wait a moment and try again."


def _database() -> Database[dict[str, Any]]:
    database = STORE.database(current_app.config["MONGODB_URI"])
    ensure_indexes(database)
    return database


def _kick() -> RelayKick:
    kick = current_app.extensions.get("messaging_relay_kick")
    if kick is None:
        kick = current_app.extensions["messaging_relay_kick"] = STORE.relay_kick(current_app.config)
    return kick


def _user_id() -> str:
    return str(g.user_id)


def _send_allowed(user_id: str) -> None:
    """Count one message against the sender's rate (``MESSAGE_SEND_RATE``); 429 when over it."""
    limiter = current_app.extensions.get("messaging_rate_limiter")
    if limiter is None:
        limiter = current_app.extensions["messaging_rate_limiter"] = RateLimiter.from_url(
            current_app.config["REDIS_URL"], prefix="ratelimit:messaging-service:", fail_open=True
        )
    rate = Rate.parse(current_app.config["MESSAGE_SEND_RATE"])
    limiter.enforce(Limit("message-send", user_id, rate), message=RATE_LIMIT_MESSAGE)


def _page(args: dict[str, Any]) -> PageParams:
    return PageParams(limit=args["limit"], starting_after=args.get("starting_after"))


def _body(raw: str) -> str:
    return message_body_clean(raw, public_web_url=current_app.config["PUBLIC_WEB_URL"])


@blueprint.route("/conversations", methods=["POST"])
@jwt_required()
@idempotent
@blueprint.arguments(schemas.ConversationIn)
@blueprint.response(201, schemas.ConversationOut)
@blueprint.alt_response(403, **FORBIDDEN)
@blueprint.alt_response(404, schema=ErrorResponseSchema, description="No such listing or member.")
@blueprint.alt_response(429, **TOO_MANY)
def conversation_create_view(payload: dict[str, Any]) -> dict[str, Any]:
    """Message a seller about a listing (`listing_id`) or a member (`recipient_id`).

    Reuses the conversation between the two of you about that listing if there is one, and adds the
    message to it. Links are allowed only to dBay listings (400 `external_link`).
    """
    user_id = _user_id()
    listing_id = payload.get("listing_id")
    recipient = payload.get("recipient_id")
    if listing_id is not None and recipient is not None:
        raise InvalidRequest(
            "Give either a listing or a member, not both.", code="invalid_field", param="recipient_id"
        )
    body = _body(payload["body"])
    database = _database()
    conversation, _message = services.conversation_start(
        database=database,
        user_id=user_id,
        listing_id=listing_id,
        recipient_id=str(recipient) if recipient is not None else None,
        body=body,
        kick=_kick(),
        admit=lambda: _send_allowed(user_id),
    )
    fresh = selectors.conversation_for_party(database, conversation_id=conversation["_id"], user_id=user_id)
    return selectors.conversation_render(database, fresh, user_id)


@blueprint.route("/conversations", methods=["GET"])
@jwt_required()
@blueprint.arguments(schemas.PageArgs, location="query")
@blueprint.response(200, schemas.ConversationPageOut)
def conversation_list_view(args: dict[str, Any]) -> dict[str, Any]:
    """Your conversations, most recently active first."""
    return selectors.conversation_list(_database(), user_id=_user_id(), page=_page(args))


@blueprint.route("/conversations/<string:conversation_id>", methods=["GET"])
@jwt_required()
@blueprint.response(200, schemas.ConversationOut)
@blueprint.alt_response(404, **NOT_FOUND)
def conversation_detail_view(conversation_id: str) -> dict[str, Any]:
    """One of your conversations."""
    database = _database()
    user_id = _user_id()
    conversation = selectors.conversation_for_party(
        database, conversation_id=conversation_id, user_id=user_id
    )
    return selectors.conversation_render(database, conversation, user_id)


@blueprint.route("/conversations/<string:conversation_id>/messages", methods=["GET"])
@jwt_required()
@blueprint.arguments(schemas.MessagePageArgs, location="query")
@blueprint.response(200, schemas.MessagePageOut)
@blueprint.alt_response(404, **NOT_FOUND)
def message_list_view(args: dict[str, Any], conversation_id: str) -> dict[str, Any]:
    """A page of the conversation's messages, oldest to newest; `before=<message id>` pages back."""
    database = _database()
    selectors.conversation_for_party(database, conversation_id=conversation_id, user_id=_user_id())
    return selectors.message_list(
        database, conversation_id=conversation_id, limit=args["limit"], before=args.get("before")
    )


@blueprint.route("/conversations/<string:conversation_id>/messages", methods=["POST"])
@jwt_required()
@idempotent
@blueprint.arguments(schemas.MessageIn)
@blueprint.response(201, schemas.MessageOut)
@blueprint.alt_response(403, **FORBIDDEN)
@blueprint.alt_response(404, **NOT_FOUND)
@blueprint.alt_response(429, **TOO_MANY)
def message_send_view(payload: dict[str, Any], conversation_id: str) -> dict[str, Any]:
    """Send a message in one of your conversations (plain text; links only to dBay listings)."""
    database = _database()
    user_id = _user_id()
    conversation = selectors.conversation_for_party(
        database, conversation_id=conversation_id, user_id=user_id
    )
    body = _body(payload["body"])
    message = services.message_send(
        database=database,
        conversation=conversation,
        sender_id=user_id,
        body=body,
        kick=_kick(),
        admit=lambda: _send_allowed(user_id),
    )
    return selectors.message_render(message)


@blueprint.route("/conversations/<string:conversation_id>/read", methods=["POST"])
@jwt_required()
@blueprint.arguments(schemas.ReadIn)
@blueprint.response(200, schemas.ConversationOut)
@blueprint.alt_response(404, **NOT_FOUND)
def conversation_read_view(payload: dict[str, Any], conversation_id: str) -> dict[str, Any]:
    """Mark the conversation read up to a message (the other party sees the read receipt)."""
    database = _database()
    user_id = _user_id()
    conversation = selectors.conversation_for_party(
        database, conversation_id=conversation_id, user_id=user_id
    )
    services.conversation_read(
        database=database,
        conversation=conversation,
        reader_id=user_id,
        message_id=payload["last_read_message_id"],
        kick=_kick(),
    )
    fresh = selectors.conversation_for_party(database, conversation_id=conversation_id, user_id=user_id)
    return selectors.conversation_render(database, fresh, user_id)


@blueprint.route("/unread-count", methods=["GET"])
@jwt_required()
@blueprint.response(200, schemas.UnreadCountOut)
def unread_count_view() -> dict[str, Any]:
    """Unread messages across your conversations."""
    return {"unread_count": selectors.unread_total(_database(), _user_id())}


@blueprint.route("/blocks", methods=["POST"])
@jwt_required()
@blueprint.arguments(schemas.BlockIn)
@blueprint.response(201, schemas.BlockOut)
def block_create_view(payload: dict[str, Any]) -> dict[str, Any]:
    """Block a member: neither of you can send the other a message until you unblock them."""
    database = _database()
    block = services.block_create(
        database=database, blocker_id=_user_id(), blocked_id=str(payload["user_id"])
    )
    return selectors.block_render(database, block)


@blueprint.route("/blocks", methods=["GET"])
@jwt_required()
@blueprint.arguments(schemas.PageArgs, location="query")
@blueprint.response(200, schemas.BlockPageOut)
def block_list_view(args: dict[str, Any]) -> dict[str, Any]:
    """The members you blocked."""
    return selectors.block_list(_database(), user_id=_user_id(), page=_page(args))


@blueprint.route("/blocks/<uuid:user_id>", methods=["DELETE"])
@jwt_required()
@blueprint.response(204)
@blueprint.alt_response(404, schema=ErrorResponseSchema, description="You have not blocked this member.")
def block_delete_view(user_id: Any) -> None:
    """Unblock a member."""
    services.block_delete(database=_database(), blocker_id=_user_id(), blocked_id=str(user_id))


@blueprint.route("/messages/<string:message_id>/report", methods=["POST"])
@jwt_required()
@blueprint.arguments(schemas.ReportIn)
@blueprint.response(201, schemas.ReportCreatedOut)
@blueprint.alt_response(404, **NOT_FOUND)
def report_create_view(payload: dict[str, Any], message_id: str) -> dict[str, Any]:
    """Report a message you received to staff (staff then see that conversation)."""
    reason = free_text_clean(payload["reason"], param="reason", what="reason")
    report = services.report_create(
        database=_database(), reporter_id=_user_id(), message_id=message_id, reason=reason
    )
    return {"id": report["_id"], "status": report["status"]}


@blueprint.route("/staff/reports", methods=["GET"])
@jwt_required(roles=("staff",))
@blueprint.alt_response(403, **STAFF_ONLY)
@blueprint.arguments(schemas.ReportListArgs, location="query")
@blueprint.response(200, schemas.ReportPageOut)
def staff_report_list_view(args: dict[str, Any]) -> dict[str, Any]:
    """Staff: reported messages, oldest first; `status=open` for the queue."""
    return selectors.report_list(_database(), status=args.get("status"), page=_page(args))


@blueprint.route("/staff/reports/<string:report_id>", methods=["GET"])
@jwt_required(roles=("staff",))
@blueprint.alt_response(403, **STAFF_ONLY)
@blueprint.response(200, schemas.ReportDetailOut)
@blueprint.alt_response(404, schema=ErrorResponseSchema, description="No such report.")
def staff_report_detail_view(report_id: str) -> dict[str, Any]:
    """Staff: one report with the reported conversation's messages."""
    return selectors.report_detail(_database(), report_id)


@blueprint.route("/staff/reports/<string:report_id>/resolve", methods=["POST"])
@jwt_required(roles=("staff",))
@blueprint.alt_response(403, **STAFF_ONLY)
@blueprint.arguments(schemas.ResolveIn)
@blueprint.response(200, schemas.ReportOut)
@blueprint.alt_response(404, schema=ErrorResponseSchema, description="No such report.")
@blueprint.alt_response(409, schema=ErrorResponseSchema, description="Already resolved.")
def staff_report_resolve_view(payload: dict[str, Any], report_id: str) -> dict[str, Any]:
    """Staff: close a report with an outcome (`dismissed` or `action_taken`) and a note."""
    database = _database()
    note = free_text_clean(payload["note"], param="note", what="note")
    report = services.report_resolve(
        database=database, report_id=report_id, staff_id=_user_id(), outcome=payload["outcome"], note=note
    )
    return selectors.report_render(database, report)


# Every answer is JSON; say so to browsers too, so none of it is ever sniffed as HTML.
@blueprint.after_request
def _no_sniff(response: Any) -> Any:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response
