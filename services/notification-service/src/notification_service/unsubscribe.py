"""Signed unsubscribe links: ``<PUBLIC_WEB_URL>/unsubscribe?token=...``, no sign-in needed.

A token names a member and what to stop emailing: one notification type, or ``digest`` (every type
the member gets in the daily digest). It is ``<payload>.<signature>``, both base64url: the payload
is ``{"u": user_id, "t": type}`` as JSON, the signature HMAC-SHA256 of the payload with
``UNSUBSCRIBE_SECRET``. Tokens do not expire (an old email's link keeps working); rotating the secret
invalidates every link already sent.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from dbay_common.errors import InvalidRequest
from notification_service.db import RECIPIENTS, Db
from notification_service.kinds import KINDS_BY_TYPE
from notification_service.preferences import daily_types, email_turn_off

DIGEST = "digest"
DIGEST_LABEL = "Daily digest"


@dataclass(frozen=True)
class UnsubscribeTarget:
    user_id: str
    type: str


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(payload: str, secret: str) -> str:
    return _b64(hmac.new(secret.encode(), payload.encode("ascii"), hashlib.sha256).digest())


def unsubscribe_token(*, user_id: str, type_: str, secret: str) -> str:
    payload = _b64(json.dumps({"u": user_id, "t": type_}, separators=(",", ":")).encode())
    return f"{payload}.{_signature(payload, secret)}"


def _invalid() -> InvalidRequest:
    return InvalidRequest(
        "This unsubscribe link is not valid. Change your email settings on your account's notification "
        "page instead.",
        code="invalid_token",
        param="token",
    )


def unsubscribe_target(token: str, *, secret: str) -> UnsubscribeTarget:
    """The member and type a token names; 400 ``invalid_token`` when it was not signed by us."""
    payload, _, signature = token.strip().partition(".")
    if not payload or not signature or not hmac.compare_digest(signature, _signature(payload, secret)):
        raise _invalid()
    try:
        data: Any = json.loads(_unb64(payload))
    except (ValueError, binascii.Error):
        raise _invalid() from None
    if not isinstance(data, dict) or not isinstance(data.get("u"), str):
        raise _invalid()
    type_ = data.get("t")
    if type_ != DIGEST and type_ not in KINDS_BY_TYPE:
        raise _invalid()
    return UnsubscribeTarget(user_id=data["u"], type=str(type_))


def label(type_: str) -> str:
    return DIGEST_LABEL if type_ == DIGEST else KINDS_BY_TYPE[type_].label


def mask_email(email: str) -> str:
    """``ada@example.com`` -> ``a**@example.com``: enough to recognise, not to harvest."""
    local, at, domain = email.partition("@")
    if not at:
        return ""
    return f"{local[:1]}{'*' * max(len(local) - 1, 2)}@{domain}"


def unsubscribe_preview(database: Db, *, token: str, secret: str) -> dict[str, Any]:
    """What the unsubscribe page shows before the member confirms."""
    target = unsubscribe_target(token, secret=secret)
    recipient = database[RECIPIENTS].find_one({"_id": target.user_id}) or {}
    return {
        "type": target.type,
        "label": label(target.type),
        "email_masked": mask_email(str(recipient.get("email") or "")),
    }


def unsubscribe_apply(database: Db, *, token: str, secret: str) -> dict[str, Any]:
    """Turn the email off (idempotent); 400 ``required_notification`` for a security type."""
    target = unsubscribe_target(token, secret=secret)
    if target.type == DIGEST:
        types = daily_types(database, user_id=target.user_id)
    else:
        if KINDS_BY_TYPE[target.type].required:
            raise InvalidRequest(
                f"“{label(target.type)}” emails keep your account safe and cannot be turned off.",
                code="required_notification",
                param="token",
            )
        types = [target.type]
    if types:
        email_turn_off(database, user_id=target.user_id, types=types)
    return {"type": target.type, "label": label(target.type), "email": "off"}
