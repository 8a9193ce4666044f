"""What a message may say, blocks and the send rate: refused input is a 4xx that changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from messaging_service import create_app

from .support import PREFIX, Db, Member, outbox_events, send, start

XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture
def conversation(client: FlaskClient, member: Callable[..., Member], listing: Callable[..., str]) -> Any:
    buyer, seller = member(), member()
    conversation_id = start(client, buyer, listing_id=listing(seller.id), body="Hi").get_json()["id"]
    return buyer, seller, conversation_id


def _snapshot(database: Db) -> tuple[int, int, int]:
    return (
        database["conversations"].count_documents({}),
        database["messages"].count_documents({}),
        len(outbox_events(database)),
    )


def test_html_comes_back_as_the_same_text_in_json_never_as_html(
    client: FlaskClient, conversation: Any, database: Db
) -> None:
    buyer, seller, conversation_id = conversation
    sent = send(client, buyer, conversation_id, XSS)
    page = client.get(f"{PREFIX}/conversations/{conversation_id}/messages", headers=seller.headers)
    inbox = client.get(f"{PREFIX}/conversations", headers=seller.headers)

    assert sent.status_code == 201 and sent.get_json()["body"] == XSS
    for response in (sent, page, inbox):
        assert response.mimetype == "application/json"
        assert "html" not in response.content_type
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert page.get_json()["data"][-1]["body"] == XSS
    assert inbox.get_json()["data"][0]["last_message"]["body"] == XSS
    stored = database["messages"].find_one({"_id": sent.get_json()["id"]})
    assert stored is not None and stored["body"] == XSS
    (event,) = [e for e in outbox_events(database, "message.sent") if e.data["message_id"] == stored["_id"]]
    assert event.data["body"] == XSS
    # Errors are JSON too, whatever went wrong.
    for response in (
        client.get(f"{PREFIX}/no-such-route", headers=buyer.headers),
        client.delete(f"{PREFIX}/conversations", headers=buyer.headers),
        client.get(f"{PREFIX}/conversations/{XSS}", headers=buyer.headers),
        send(client, buyer, conversation_id, f"{XSS} https://evil.example"),
    ):
        assert response.status_code in (400, 404, 405)
        assert response.mimetype == "application/json", response.data[:80]
        assert XSS.encode() not in response.data


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("", "invalid_body"),
        ("   \n\t ", "invalid_body"),
        ("x" * 2001, "invalid_body"),
        ("nul \x00 inside", "invalid_body"),
        ("see https://evil.example/phish", "external_link"),
        ("see http://localhost:3000.evil.com/listings/1", "external_link"),
        ("see http://localhost:3000/account/settings", "external_link"),
        ("see www.example.org", "external_link"),
        ("pay at paypal.com/me/x", "external_link"),
        ("click javascript:alert(1)", "external_link"),
        ("mail me: mailto:a@b.c", "external_link"),
        ("ftp://files.example/x", "external_link"),
    ],
)
def test_refused_bodies_change_nothing(
    client: FlaskClient, conversation: Any, database: Db, body: str, code: str
) -> None:
    buyer, _seller, conversation_id = conversation
    before = _snapshot(database)
    response = send(client, buyer, conversation_id, body)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert (error["code"], error["param"]) == (code, "body")
    if code == "external_link":
        assert error["message"] == (
            "Messages can only link to dBay listings. Remove the link to the other website and send again."
        )
    assert _snapshot(database) == before


@pytest.mark.parametrize(
    "body",
    [
        "x" * 2000,
        "  " + "y" * 2000 + "  ",
        "Have a look at http://localhost:3000/listings/8f0e3c1a-4b6d-4c2e-9a7f-1d2e3f4a5b6c please",
        "Or /listings/8f0e3c1a-4b6d-4c2e-9a7f-1d2e3f4a5b6c",
        "Price is 1.5 DOGE, e.g. about 0.2 USD. Ends at 10.30 tomorrow.",
        "<b>bold</b> & 'quotes' \"double\" — ünïcödé 🐕",
    ],
)
def test_allowed_bodies_are_stored_as_typed(client: FlaskClient, conversation: Any, body: str) -> None:
    buyer, _seller, conversation_id = conversation
    response = send(client, buyer, conversation_id, body)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["body"] == body.strip()


def test_malformed_requests_are_400_and_change_nothing(
    client: FlaskClient, conversation: Any, database: Db
) -> None:
    buyer, _seller, conversation_id = conversation
    before = _snapshot(database)
    url = f"{PREFIX}/conversations/{conversation_id}/messages"
    for payload in ({}, {"body": 5}, {"body": "hi", "extra": 1}, []):
        response = client.post(url, json=payload, headers=buyer.headers)
        assert response.status_code in (400, 422), payload
        assert set(response.get_json()["error"]) >= {"type", "code", "message"}
    bad_json = client.post(url, data="{", content_type="application/json", headers=buyer.headers)
    assert bad_json.status_code == 400
    assert client.post(
        f"{PREFIX}/conversations", json={"recipient_id": "not-a-uuid", "body": "x"}, headers=buyer.headers
    ).status_code in (400, 422)
    assert _snapshot(database) == before


def test_a_blocked_party_cannot_send_until_unblocked(
    client: FlaskClient, conversation: Any, member: Callable[..., Member], database: Db
) -> None:
    buyer, seller, conversation_id = conversation
    blocked = client.post(f"{PREFIX}/blocks", json={"user_id": buyer.id}, headers=seller.headers)
    assert blocked.status_code == 201
    assert blocked.get_json()["user"] == {
        "id": buyer.id,
        "username": buyer.username,
        "display_name": buyer.username,
    }
    before = _snapshot(database)

    refused = send(client, buyer, conversation_id, "Hello?")
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "blocked"
    assert refused.get_json()["error"]["message"] == "This member is not accepting messages from you."
    own = send(client, seller, conversation_id, "Bye")
    assert own.status_code == 403
    assert own.get_json()["error"]["message"] == "You blocked this member. Unblock them to send a message."
    again = start(client, buyer, recipient_id=seller.id, body="New thread?")
    assert again.status_code == 403 and again.get_json()["error"]["code"] == "blocked"
    assert _snapshot(database) == before

    view = client.get(f"{PREFIX}/conversations/{conversation_id}", headers=buyer.headers).get_json()
    assert (view["blocked"], view["blocked_by_other"]) == (False, True)
    listed = client.get(f"{PREFIX}/blocks", headers=seller.headers).get_json()
    assert [b["user"]["id"] for b in listed["data"]] == [buyer.id] and listed["has_more"] is False
    assert client.get(f"{PREFIX}/blocks", headers=buyer.headers).get_json()["data"] == []

    assert client.delete(f"{PREFIX}/blocks/{buyer.id}", headers=seller.headers).status_code == 204
    gone = client.delete(f"{PREFIX}/blocks/{buyer.id}", headers=seller.headers)
    assert (gone.status_code, gone.get_json()["error"]["code"]) == (404, "block_not_found")
    assert send(client, buyer, conversation_id, "Hello?").status_code == 201
    own_block = client.post(f"{PREFIX}/blocks", json={"user_id": seller.id}, headers=seller.headers)
    assert (own_block.status_code, own_block.get_json()["error"]["code"]) == (400, "cannot_block_yourself")


def test_the_send_rate_is_limited_per_sender(
    jwks_server: Any, member: Callable[..., Member], listing: Callable[..., str], database: Db
) -> None:
    app: Flask = create_app({"JWT_JWKS_URL": jwks_server.url, "MESSAGE_SEND_RATE": "3/1m"})
    client = app.test_client()
    buyer, seller = member(), member()
    conversation_id = start(client, buyer, listing_id=listing(seller.id), body="1").get_json()["id"]
    assert [send(client, buyer, conversation_id, str(n)).status_code for n in (2, 3)] == [201, 201]

    refused = send(client, buyer, conversation_id, "4")

    assert refused.status_code == 429
    assert refused.get_json()["error"]["code"] == "rate_limited"
    assert (
        refused.get_json()["error"]["message"]
        == "You are sending messages too quickly. Wait a moment and try again."
    )
    assert int(refused.headers["Retry-After"]) >= 1
    assert database["messages"].count_documents({}) == 3
    assert send(client, seller, conversation_id, "the other party has a rate of their own").status_code == 201


def test_refused_sends_do_not_use_up_the_rate(
    jwks_server: Any, member: Callable[..., Member], listing: Callable[..., str]
) -> None:
    app: Flask = create_app({"JWT_JWKS_URL": jwks_server.url, "MESSAGE_SEND_RATE": "2/1m"})
    client = app.test_client()
    buyer, seller = member(), member()
    conversation_id = start(client, buyer, listing_id=listing(seller.id), body="1").get_json()["id"]
    client.post(f"{PREFIX}/blocks", json={"user_id": buyer.id}, headers=seller.headers)
    for _ in range(3):
        assert send(client, buyer, conversation_id, "blocked").status_code == 403
        assert start(client, buyer, listing_id="no-such-listing").status_code == 404
    client.delete(f"{PREFIX}/blocks/{buyer.id}", headers=seller.headers)

    assert send(client, buyer, conversation_id, "2").status_code == 201
    assert send(client, buyer, conversation_id, "3").status_code == 429
