"""The HTTP API against the real FerretDB and Redis: the bell, read marking, preferences,
unsubscribe links without sign-in, the staff dead-letter area, and who may see what."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from dbay_common.testing.plugin import JwksServer
from notification_service import create_app
from notification_service.db import EMAILS, NOTIFICATIONS
from notification_service.unsubscribe import unsubscribe_token

API = "/api/v1/notifications"
SECRET = "test-unsubscribe-secret"
Frames = Callable[[str], list[dict[str, Any]]]


@pytest.fixture
def client(
    service_env: dict[str, str], jwks_server: JwksServer, monkeypatch: pytest.MonkeyPatch
) -> FlaskClient:
    monkeypatch.setenv("UNSUBSCRIBE_SECRET", SECRET)
    return create_app({"JWT_JWKS_URL": jwks_server.url}).test_client()


@pytest.fixture
def auth(make_token: Callable[..., str]) -> Callable[..., dict[str, str]]:
    def headers(user_id: str, *roles: str) -> dict[str, str]:
        token = make_token(sub=user_id, roles=["buyer", "seller", *roles], email_verified=True)
        return {"Authorization": f"Bearer {token}"}

    return headers


def add_notifications(db: Any, user_id: str, count: int) -> list[str]:
    """``count`` notifications a minute apart, the newest last; their ids newest first."""
    start = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    ids = []
    for n in range(count):
        notification_id = str(uuid.uuid4())
        db[NOTIFICATIONS].insert_one(
            {
                "_id": notification_id,
                "user_id": user_id,
                "type": "deposit.credited",
                "title": f"Deposit {n}",
                "body": "1 DOGE is now in your dBay balance and ready to spend.",
                "link": "/wallet",
                "created_at": start + timedelta(minutes=n),
                "read_at": None,
            }
        )
        ids.append(notification_id)
    return ids[::-1]


def test_the_list_pages_newest_first_and_counts_unread(client: FlaskClient, db: Any, auth: Any) -> None:
    me = str(uuid.uuid4())
    ids = add_notifications(db, me, 5)
    add_notifications(db, str(uuid.uuid4()), 2)  # someone else's

    first = client.get(f"{API}/items?limit=2", headers=auth(me)).get_json()
    second = client.get(f"{API}/items?limit=2&starting_after={ids[1]}", headers=auth(me)).get_json()
    last = client.get(f"{API}/items?limit=2&starting_after={ids[3]}", headers=auth(me)).get_json()

    assert ([n["id"] for n in first["data"]], first["has_more"]) == (ids[:2], True)
    assert ([n["id"] for n in second["data"]], second["has_more"]) == (ids[2:4], True)
    assert ([n["id"] for n in last["data"]], last["has_more"]) == (ids[4:], False)
    assert first["data"][0] == {
        "id": ids[0],
        "type": "deposit.credited",
        "title": "Deposit 4",
        "body": "1 DOGE is now in your dBay balance and ready to spend.",
        "link": "/wallet",
        "created_at": "2026-12-07T12:04:00.000Z",
        "read_at": None,
    }
    assert client.get(f"{API}/unread-count", headers=auth(me)).get_json() == {"unread_count": 5}


def test_a_cursor_from_another_list_is_a_400(client: FlaskClient, db: Any, auth: Any) -> None:
    theirs = add_notifications(db, str(uuid.uuid4()), 1)[0]
    response = client.get(f"{API}/items?starting_after={theirs}", headers=auth(str(uuid.uuid4())))
    assert (response.status_code, response.get_json()["error"]["code"]) == (400, "invalid_cursor")


def test_reading_is_idempotent_and_tells_other_tabs(
    client: FlaskClient, db: Any, auth: Any, frames: Frames
) -> None:
    me = str(uuid.uuid4())
    ids = add_notifications(db, me, 3)

    once = client.post(f"{API}/items/{ids[0]}/read", headers=auth(me))
    again = client.post(f"{API}/items/{ids[0]}/read", headers=auth(me))

    assert once.status_code == again.status_code == 200
    assert once.get_json()["read_at"] is not None
    assert again.get_json() == once.get_json()
    assert client.get(f"{API}/unread-count", headers=auth(me)).get_json() == {"unread_count": 2}

    assert client.post(f"{API}/read-all", headers=auth(me)).get_json() == {"unread_count": 0}
    assert client.post(f"{API}/read-all", headers=auth(me)).get_json() == {"unread_count": 0}
    assert [(f["event"], f["data"]) for f in frames(f"user:{me}")] == [
        ("notifications.read", {"unread_count": 2}),
        ("notifications.read", {"unread_count": 0}),
        ("notifications.read", {"unread_count": 0}),
    ]


def test_another_members_notification_is_not_found(client: FlaskClient, db: Any, auth: Any) -> None:
    theirs = add_notifications(db, str(uuid.uuid4()), 1)[0]
    response = client.post(f"{API}/items/{theirs}/read", headers=auth(str(uuid.uuid4())))
    assert (response.status_code, response.get_json()["error"]["code"]) == (404, "not_found")
    assert db[NOTIFICATIONS].find_one({"_id": theirs})["read_at"] is None


def test_every_member_route_needs_a_sign_in(client: FlaskClient) -> None:
    for method, path in [
        ("get", "/items"),
        ("get", "/unread-count"),
        ("post", "/items/x/read"),
        ("post", "/read-all"),
        ("get", "/preferences"),
        ("put", "/preferences"),
        ("get", "/staff/emails"),
        ("post", "/staff/emails/x/replay"),
    ]:
        assert getattr(client, method)(f"{API}{path}").status_code == 401, path


# -- preferences --------------------------------------------------------------------------------------


def test_preferences_have_sane_defaults(client: FlaskClient, auth: Any) -> None:
    body = client.get(f"{API}/preferences", headers=auth(str(uuid.uuid4()))).get_json()
    by_type = {t["type"]: t for t in body["types"]}
    assert body["email_digest_hour_utc"] == 8
    assert by_type["security.new_sign_in"] == {
        "type": "security.new_sign_in",
        "label": "New sign-in",
        "description": "Your account was signed in from a new device. Always emailed, for your security.",
        "in_app": True,
        "email": "instant",
        "email_choices": ["instant"],
        "required": True,
    }
    assert {
        t: (v["in_app"], v["email"], v["email_choices"]) for t, v in by_type.items() if not v["required"]
    } == {
        "deposit.seen": (True, "off", ["instant", "off"]),
        "deposit.credited": (True, "instant", ["instant", "off"]),
        "deposit.reversed": (True, "instant", ["instant", "off"]),
        "withdrawal.confirmed": (True, "instant", ["instant", "off"]),
        "withdrawal.rejected": (True, "instant", ["instant", "off"]),
        "withdrawal.held": (True, "instant", ["instant", "off"]),
        "listing.published": (True, "off", ["instant", "daily", "off"]),
        "listing.ended": (True, "daily", ["instant", "daily", "off"]),
        "listing.taken_down": (True, "instant", ["instant", "off"]),
        "search.match": (True, "daily", ["instant", "daily", "off"]),
        "message.new": (True, "instant", ["instant", "off"]),
        "bid.outbid": (True, "instant", ["instant", "off"]),
        "auction.won": (True, "instant", ["instant", "off"]),
        "auction.lost": (True, "daily", ["instant", "daily", "off"]),
        "auction.sold": (True, "instant", ["instant", "off"]),
        "auction.unsold": (True, "instant", ["instant", "off"]),
        "auction.ending_soon": (True, "instant", ["instant", "daily", "off"]),
    }


def test_changing_some_types_keeps_the_others(client: FlaskClient, auth: Any) -> None:
    me = auth(str(uuid.uuid4()))
    client.put(
        f"{API}/preferences",
        json={"types": [{"type": "search.match", "in_app": False, "email": "instant"}]},
        headers=me,
    )
    body = client.put(
        f"{API}/preferences",
        json={
            "types": [{"type": "listing.ended", "in_app": True, "email": "off"}],
            "email_digest_hour_utc": 19,
        },
        headers=me,
    ).get_json()
    by_type = {t["type"]: (t["in_app"], t["email"]) for t in body["types"]}
    assert (by_type["search.match"], by_type["listing.ended"], body["email_digest_hour_utc"]) == (
        (False, "instant"),
        (True, "off"),
        19,
    )
    assert client.get(f"{API}/preferences", headers=me).get_json() == body


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"type": "security.new_sign_in", "in_app": True, "email": "off"}, "required_notification"),
        ({"type": "security.new_sign_in", "in_app": True, "email": "daily"}, "invalid_choice"),
        ({"type": "withdrawal.sent", "in_app": False, "email": "instant"}, "required_notification"),
        ({"type": "deposit.credited", "in_app": True, "email": "daily"}, "invalid_choice"),
        ({"type": "no.such_type", "in_app": True, "email": "off"}, "invalid_field"),
    ],
)
def test_refused_preference_changes_are_400_and_change_nothing(
    client: FlaskClient, auth: Any, change: dict[str, Any], code: str
) -> None:
    me = auth(str(uuid.uuid4()))
    before = client.get(f"{API}/preferences", headers=me).get_json()
    ok = {"type": "search.match", "in_app": False, "email": "off"}
    response = client.put(f"{API}/preferences", json={"types": [ok, change]}, headers=me)
    assert (response.status_code, response.get_json()["error"]["code"]) == (400, code)
    assert client.get(f"{API}/preferences", headers=me).get_json() == before


# -- unsubscribe (no sign-in) -------------------------------------------------------------------------


def test_an_unsubscribe_link_works_without_sign_in(
    client: FlaskClient, auth: Any, member: Callable[..., str]
) -> None:
    user_id = member(email="ada@example.com")
    token = unsubscribe_token(user_id=user_id, type_="message.new", secret=SECRET)

    preview = client.get(f"{API}/unsubscribe?token={token}")
    done = client.post(f"{API}/unsubscribe", json={"token": token})
    again = client.post(f"{API}/unsubscribe", json={"token": token})

    assert preview.get_json() == {
        "type": "message.new",
        "label": "New message",
        "email_masked": "a**@example.com",
    }
    assert (
        done.get_json() == again.get_json() == {"type": "message.new", "label": "New message", "email": "off"}
    )
    prefs = client.get(f"{API}/preferences", headers=auth(user_id)).get_json()
    assert [(t["in_app"], t["email"]) for t in prefs["types"] if t["type"] == "message.new"] == [
        (True, "off")
    ]


def test_one_click_unsubscribe_rfc_8058(client: FlaskClient, auth: Any, member: Callable[..., str]) -> None:
    user_id = member()
    token = unsubscribe_token(user_id=user_id, type_="deposit.credited", secret=SECRET)
    response = client.post(
        f"{API}/unsubscribe/one-click?token={token}",
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert (response.status_code, response.get_json()["email"]) == (200, "off")
    prefs = client.get(f"{API}/preferences", headers=auth(user_id)).get_json()
    assert [t["email"] for t in prefs["types"] if t["type"] == "deposit.credited"] == ["off"]


def test_the_digest_link_turns_off_every_daily_type(
    client: FlaskClient, auth: Any, member: Callable[..., str]
) -> None:
    user_id = member()
    token = unsubscribe_token(user_id=user_id, type_="digest", secret=SECRET)
    assert client.post(f"{API}/unsubscribe", json={"token": token}).get_json()["label"] == "Daily digest"
    prefs = client.get(f"{API}/preferences", headers=auth(user_id)).get_json()
    assert {
        t["type"]: t["email"] for t in prefs["types"] if t["type"] in ("listing.ended", "search.match")
    } == {
        "listing.ended": "off",
        "search.match": "off",
    }


def test_a_tampered_token_is_refused(client: FlaskClient, member: Callable[..., str]) -> None:
    token = unsubscribe_token(user_id=member(), type_="message.new", secret=SECRET)
    payload, signature = token.split(".")
    forged = unsubscribe_token(user_id=str(uuid.uuid4()), type_="message.new", secret=SECRET).split(".")[0]
    for bad in (
        f"{forged}.{signature}",
        f"{payload}.{signature[:-2]}xx",
        payload,
        "garbage",
        unsubscribe_token(user_id="u", type_="message.new", secret="another-secret"),
    ):
        for response in (
            client.get(f"{API}/unsubscribe", query_string={"token": bad}),
            client.post(f"{API}/unsubscribe", json={"token": bad}),
            client.post(
                f"{API}/unsubscribe/one-click",
                query_string={"token": bad},
                data={"List-Unsubscribe": "One-Click"},
            ),
        ):
            assert (response.status_code, response.get_json()["error"]["code"]) == (400, "invalid_token"), bad


def test_a_security_type_cannot_be_unsubscribed(client: FlaskClient, member: Callable[..., str]) -> None:
    token = unsubscribe_token(user_id=member(), type_="security.new_sign_in", secret=SECRET)
    response = client.post(f"{API}/unsubscribe", json={"token": token})
    assert (response.status_code, response.get_json()["error"]["code"]) == (400, "required_notification")


# -- staff: dead letters ------------------------------------------------------------------------------


def dead_email(db: Any) -> str:
    email_id = str(uuid.uuid4())
    now = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    db[EMAILS].insert_one(
        {
            "_id": email_id,
            "kind": "notification",
            "user_id": "u-1",
            "to": "ada@example.com",
            "type": "message.new",
            "subject": "New message from Bob",
            "title": "New message from Bob",
            "body": "Hi",
            "link": None,
            "state": "dead",
            "attempts": 6,
            "last_error": "The mail server refused it (554: no)",
            "next_attempt_at": now,
            "created_at": now,
            "sent_at": None,
        }
    )
    return email_id


def test_staff_list_and_replay_dead_emails(client: FlaskClient, db: Any, auth: Any) -> None:
    email_id = dead_email(db)
    staff = auth(str(uuid.uuid4()), "staff")

    listed = client.get(f"{API}/staff/emails?state=dead", headers=staff).get_json()
    replayed = client.post(f"{API}/staff/emails/{email_id}/replay", headers=staff)
    twice = client.post(f"{API}/staff/emails/{email_id}/replay", headers=staff)

    assert listed == {
        "data": [
            {
                "id": email_id,
                "user_id": "u-1",
                "to": "ada@example.com",
                "type": "message.new",
                "subject": "New message from Bob",
                "state": "dead",
                "attempts": 6,
                "last_error": "The mail server refused it (554: no)",
                "created_at": "2026-12-07T12:00:00.000Z",
                "next_attempt_at": "2026-12-07T12:00:00.000Z",
                "sent_at": None,
            }
        ],
        "has_more": False,
    }
    assert (replayed.status_code, replayed.get_json()["state"], replayed.get_json()["attempts"]) == (
        200,
        "queued",
        0,
    )
    assert (twice.status_code, twice.get_json()["error"]["code"]) == (409, "not_dead")
    assert client.get(f"{API}/staff/emails?state=dead", headers=staff).get_json()["data"] == []


def test_staff_routes_need_the_staff_role(client: FlaskClient, db: Any, auth: Any) -> None:
    email_id = dead_email(db)
    member = auth(str(uuid.uuid4()))
    assert client.get(f"{API}/staff/emails?state=dead", headers=member).status_code == 403
    assert client.post(f"{API}/staff/emails/{email_id}/replay", headers=member).status_code == 403
    assert db[EMAILS].find_one({"_id": email_id})["state"] == "dead"
