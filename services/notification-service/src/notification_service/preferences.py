"""Members' notification preferences: per type, in-app on/off and email instant / daily / off.

One document per member in ``preferences`` (``{_id: user_id, types: [{type, in_app, email}],
email_digest_hour_utc}``), holding only what the member changed; everything else is the type's
default from :mod:`notification_service.kinds`. Written under the document's lock (FerretDB does not
isolate two updates of one document).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from dbay_common.errors import InvalidRequest
from dbay_common.mongo import document_lock
from notification_service.db import LOCKS, PREFERENCES, Db
from notification_service.kinds import KINDS, KINDS_BY_TYPE, OFF, NotificationKind


@dataclass(frozen=True)
class Choice:
    in_app: bool
    email: str


def _stored(database: Db, user_id: str) -> dict[str, Any]:
    return database[PREFERENCES].find_one({"_id": user_id}) or {}


def _choice(kind: NotificationKind, stored: Mapping[str, Any]) -> Choice:
    if kind.required:
        return Choice(in_app=True, email=kind.email_default)
    for entry in stored.get("types") or []:
        if entry.get("type") == kind.type:
            email = entry.get("email", kind.email_default)
            return Choice(
                in_app=bool(entry.get("in_app", True)),
                email=email if email in kind.email_choices else kind.email_default,
            )
    return Choice(in_app=True, email=kind.email_default)


def preference_choice(database: Db, *, user_id: str, kind: NotificationKind) -> Choice:
    """What ``user_id`` wants for ``kind`` now (the default when they never changed it)."""
    return _choice(kind, _stored(database, user_id))


def digest_hour(database: Db, *, user_id: str, default: int) -> int:
    hour = _stored(database, user_id).get("email_digest_hour_utc")
    return int(hour) if isinstance(hour, int) else default


def preferences_get(database: Db, *, user_id: str, default_hour: int) -> dict[str, Any]:
    """The preferences page: every type with its label, choices and the member's current choice."""
    stored = _stored(database, user_id)
    hour = stored.get("email_digest_hour_utc")
    types = []
    for kind in KINDS:
        choice = _choice(kind, stored)
        types.append(
            {
                "type": kind.type,
                "label": kind.label,
                "description": kind.description,
                "in_app": choice.in_app,
                "email": choice.email,
                "email_choices": list(kind.email_choices),
                "required": kind.required,
            }
        )
    return {"email_digest_hour_utc": hour if isinstance(hour, int) else default_hour, "types": types}


def _checked(changes: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    checked: dict[str, dict[str, Any]] = {}
    for change in changes:
        kind = KINDS_BY_TYPE.get(change["type"])
        if kind is None:
            raise InvalidRequest(
                f"There is no notification type {change['type']!r}.", code="invalid_field", param="types"
            )
        if kind.required and (not change["in_app"] or change["email"] == OFF):
            raise InvalidRequest(
                f"“{kind.label}” notifications keep your account safe and cannot be turned off.",
                code="required_notification",
                param="types",
            )
        if change["email"] not in kind.email_choices:
            allowed = ", ".join(kind.email_choices)
            raise InvalidRequest(
                f"Email for “{kind.label}” can be: {allowed}.", code="invalid_choice", param="types"
            )
        checked[kind.type] = {"type": kind.type, "in_app": bool(change["in_app"]), "email": change["email"]}
    return checked


def preferences_update(
    database: Db,
    *,
    user_id: str,
    changes: Iterable[Mapping[str, Any]],
    digest_hour_utc: int | None = None,
    default_hour: int,
) -> dict[str, Any]:
    """Change the listed types (the rest keep their choice); 400 for an unknown type, an email
    choice the type does not offer, or a required type turned off (nothing is changed then)."""
    checked = _checked(changes)
    collection = database[PREFERENCES]
    with document_lock(database[LOCKS], collection, user_id):
        stored = collection.find_one({"_id": user_id}) or {}
        kept = [entry for entry in stored.get("types") or [] if entry.get("type") not in checked]
        update: dict[str, Any] = {"types": kept + list(checked.values()), "updated_at": datetime.now(UTC)}
        if digest_hour_utc is not None:
            update["email_digest_hour_utc"] = digest_hour_utc
        collection.update_one({"_id": user_id}, {"$set": update}, upsert=True)
    return preferences_get(database, user_id=user_id, default_hour=default_hour)


def email_turn_off(database: Db, *, user_id: str, types: Iterable[str]) -> None:
    """Email off for ``types`` (the unsubscribe link); in-app choices are kept."""
    stored = _stored(database, user_id)
    changes = []
    for type_ in types:
        kind = KINDS_BY_TYPE[type_]
        choice = _choice(kind, stored)
        changes.append({"type": type_, "in_app": choice.in_app, "email": OFF})
    preferences_update(database, user_id=user_id, changes=changes, default_hour=0)


def daily_types(database: Db, *, user_id: str) -> list[str]:
    """The types ``user_id`` gets in the daily digest now."""
    stored = _stored(database, user_id)
    return [kind.type for kind in KINDS if _choice(kind, stored).email == "daily"]
