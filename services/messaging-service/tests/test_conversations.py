"""Conversations and messages through the API, against the real FerretDB and Redis."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from dbay_common.events.envelope import Event

from .support import PREFIX, Db, Member, outbox_events, send, start


def test_contact_seller_opens_a_conversation_about_the_listing(
    client: FlaskClient, member: Callable[..., Member], listing: Callable[..., str], database: Db
) -> None:
    buyer, seller = member(), member(display_name="Ada L.")
    listing_id = listing(seller.id)

    response = start(client, buyer, listing_id=listing_id, body="  Is it still available?\n")

    assert response.status_code == 201, response.get_json()
    conversation = response.get_json()
    last = conversation.pop("last_message")
    assert conversation == {
        "id": conversation["id"],
        "listing": {
            "id": listing_id,
            "title": "Canon EOS 5D Mark IV body",
            "photo_url": "/api/v1/listings/photos/0c9d8e7f/thumb",
        },
        "other_party": {"id": seller.id, "display_name": "Ada L.", "username": seller.username},
        "unread_count": 0,
        "other_last_read_message_id": None,
        "blocked": False,
        "blocked_by_other": False,
        "created_at": conversation["created_at"],
        "updated_at": last["sent_at"],
    }
    assert last == {
        "id": last["id"],
        "conversation_id": conversation["id"],
        "sender_id": buyer.id,
        "body": "Is it still available?",
        "sent_at": last["sent_at"],
    }
    seller_view = client.get(
        f"{PREFIX}/conversations/{conversation['id']}", headers=seller.headers
    ).get_json()
    assert seller_view["unread_count"] == 1
    assert seller_view["other_party"] == {
        "id": buyer.id,
        "display_name": buyer.username,
        "username": buyer.username,
    }
    assert database["conversations"].count_documents({}) == 1


def test_a_second_contact_reuses_the_conversation_and_appends_the_message(
    client: FlaskClient, member: Callable[..., Member], listing: Callable[..., str], database: Db
) -> None:
    buyer, seller = member(), member()
    listing_id = listing(seller.id)
    first = start(client, buyer, listing_id=listing_id, body="Hello").get_json()
    second = start(client, buyer, listing_id=listing_id, body="Hello again").get_json()
    assert second["id"] == first["id"]
    assert second["last_message"]["body"] == "Hello again"
    other_listing = start(client, buyer, listing_id=listing(seller.id), body="And this one?").get_json()
    assert other_listing["id"] != first["id"]
    direct = start(client, buyer, recipient_id=seller.id, body="Hi").get_json()
    assert direct["listing"] is None and direct["id"] not in (first["id"], other_listing["id"])
    reverse = start(client, seller, recipient_id=buyer.id, body="Hi back").get_json()
    assert reverse["id"] == direct["id"]
    assert database["conversations"].count_documents({}) == 3
    assert database["messages"].count_documents({}) == 5


def test_racing_contact_clicks_make_one_conversation(
    messaging_app: Flask, member: Callable[..., Member], listing: Callable[..., str], database: Db
) -> None:
    buyer, seller = member(), member()
    listing_id = listing(seller.id)
    racers = 8
    barrier = threading.Barrier(racers)
    answers: list[Any] = []

    def click(n: int) -> None:
        client = messaging_app.test_client()
        barrier.wait()
        response = start(client, buyer, listing_id=listing_id, body=f"click {n}")
        answers.append((response.status_code, response.get_json()["id"]))

    threads = [threading.Thread(target=click, args=(n,)) for n in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [status for status, _ in answers] == [201] * racers
    assert len({conversation_id for _, conversation_id in answers}) == 1
    assert database["conversations"].count_documents({}) == 1
    assert database["messages"].count_documents({}) == racers
    assert len(outbox_events(database, "message.sent")) == racers


def test_an_idempotency_key_replays_the_first_answer_without_a_second_message(
    client: FlaskClient, member: Callable[..., Member], listing: Callable[..., str], database: Db
) -> None:
    buyer, seller = member(), member()
    listing_id = listing(seller.id)
    headers = {**buyer.headers, "Idempotency-Key": "contact-1"}
    first = client.post(
        f"{PREFIX}/conversations", json={"listing_id": listing_id, "body": "Hi"}, headers=headers
    )
    again = client.post(
        f"{PREFIX}/conversations", json={"listing_id": listing_id, "body": "Hi"}, headers=headers
    )
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()
    conversation_id = first.get_json()["id"]
    send_headers = {**buyer.headers, "Idempotency-Key": "msg-1"}
    url = f"{PREFIX}/conversations/{conversation_id}/messages"
    one = client.post(url, json={"body": "Second"}, headers=send_headers)
    two = client.post(url, json={"body": "Second"}, headers=send_headers)
    assert one.status_code == two.status_code == 201 and one.get_json() == two.get_json()
    assert database["messages"].count_documents({}) == 2
    assert len(outbox_events(database, "message.sent")) == 2


def test_who_and_what_a_conversation_can_start_with(
    client: FlaskClient, member: Callable[..., Member], listing: Callable[..., str], database: Db
) -> None:
    buyer, seller = member(), member()
    stranger = member(known=False)

    def error(response: Any) -> tuple[int, str]:
        return response.status_code, response.get_json()["error"]["code"]

    assert error(start(client, seller, listing_id=listing(seller.id))) == (400, "cannot_message_yourself")
    assert error(start(client, buyer, recipient_id=buyer.id)) == (400, "cannot_message_yourself")
    assert error(start(client, buyer, listing_id="no-such-listing")) == (404, "listing_not_found")
    assert error(start(client, buyer, listing_id=listing(seller.id, status="draft"))) == (
        404,
        "listing_not_found",
    )
    assert error(start(client, buyer, recipient_id=stranger.id)) == (404, "recipient_not_found")
    assert error(start(client, buyer)) == (400, "invalid_field")
    both = start(client, buyer, listing_id=listing(seller.id), recipient_id=seller.id)
    assert error(both) == (400, "invalid_field")
    assert database["conversations"].count_documents({}) == 0
    assert database["messages"].count_documents({}) == 0
    assert outbox_events(database) == []
    # A seller this service knows only from their listings can be messaged too.
    listing(stranger.id)
    assert start(client, buyer, recipient_id=stranger.id).status_code == 201


def test_messages_page_backwards_oldest_first_within_a_page(
    client: FlaskClient, member: Callable[..., Member], listing: Callable[..., str]
) -> None:
    buyer, seller = member(), member()
    conversation_id = start(client, buyer, listing_id=listing(seller.id), body="m0").get_json()["id"]
    for n in range(1, 25):
        who = buyer if n % 2 else seller
        assert send(client, who, conversation_id, f"m{n}").status_code == 201
    url = f"{PREFIX}/conversations/{conversation_id}/messages"

    pages: list[list[str]] = []
    before: str | None = None
    while True:
        query: dict[str, Any] = {"limit": 10, **({"before": before} if before else {})}
        page = client.get(url, query_string=query, headers=seller.headers).get_json()
        pages.append([m["body"] for m in page["data"]])
        if not page["has_more"]:
            break
        before = page["data"][0]["id"]

    assert pages == [
        [f"m{n}" for n in range(15, 25)],
        [f"m{n}" for n in range(5, 15)],
        [f"m{n}" for n in range(0, 5)],
    ]


def test_the_inbox_lists_the_most_recently_active_first_and_pages(
    client: FlaskClient, member: Callable[..., Member], listing: Callable[..., str]
) -> None:
    buyer = member()
    sellers = [member() for _ in range(5)]
    ids = [start(client, buyer, listing_id=listing(s.id)).get_json()["id"] for s in sellers]
    send(client, sellers[1], ids[1], "Yes, still here")  # moves it to the top

    first = client.get(f"{PREFIX}/conversations", query_string={"limit": 3}, headers=buyer.headers).get_json()
    rest = client.get(
        f"{PREFIX}/conversations",
        query_string={"limit": 3, "starting_after": first["data"][-1]["id"]},
        headers=buyer.headers,
    ).get_json()

    assert [c["id"] for c in first["data"]] == [ids[1], ids[4], ids[3]] and first["has_more"] is True
    assert [c["id"] for c in rest["data"]] == [ids[2], ids[0]] and rest["has_more"] is False
    assert sellers[0].id not in [c["other_party"]["id"] for c in first["data"]]
    seller_list = client.get(f"{PREFIX}/conversations", headers=sellers[2].headers).get_json()
    assert [c["id"] for c in seller_list["data"]] == [ids[2]]


def test_unread_counts_and_read_receipts(
    client: FlaskClient, member: Callable[..., Member], listing: Callable[..., str], database: Db
) -> None:
    buyer, seller = member(), member()
    conversation_id = start(client, buyer, listing_id=listing(seller.id), body="one").get_json()["id"]
    second = send(client, buyer, conversation_id, "two").get_json()
    third = send(client, buyer, conversation_id, "three").get_json()
    other = start(client, buyer, recipient_id=seller.id, body="elsewhere").get_json()["id"]

    def unread(who: Member) -> int:
        return int(client.get(f"{PREFIX}/unread-count", headers=who.headers).get_json()["unread_count"])

    assert (unread(seller), unread(buyer)) == (4, 0)
    read_url = f"{PREFIX}/conversations/{conversation_id}/read"
    answer = client.post(read_url, json={"last_read_message_id": second["id"]}, headers=seller.headers)
    assert answer.status_code == 200 and answer.get_json()["unread_count"] == 1
    assert unread(seller) == 2
    buyer_view = client.get(f"{PREFIX}/conversations/{conversation_id}", headers=buyer.headers).get_json()
    assert buyer_view["other_last_read_message_id"] == second["id"]

    # Going back changes nothing and tells nobody.
    client.post(read_url, json={"last_read_message_id": third["id"]}, headers=seller.headers)
    events_before = len(outbox_events(database, "conversation.read"))
    older = client.post(read_url, json={"last_read_message_id": second["id"]}, headers=seller.headers)
    assert older.status_code == 200 and older.get_json()["unread_count"] == 0
    assert len(outbox_events(database, "conversation.read")) == events_before == 2
    assert unread(seller) == 1
    missing = client.post(read_url, json={"last_read_message_id": "nope"}, headers=seller.headers)
    assert (missing.status_code, missing.get_json()["error"]["code"]) == (404, "message_not_found")
    foreign = database["messages"].find_one({"conversation_id": other})
    assert foreign is not None
    wrong = client.post(read_url, json={"last_read_message_id": foreign["_id"]}, headers=seller.headers)
    assert wrong.status_code == 404
    assert unread(seller) == 1


def test_concurrent_sends_are_all_counted_unread(
    messaging_app: Flask, member: Callable[..., Member], listing: Callable[..., str], database: Db
) -> None:
    buyer, seller = member(), member()
    client = messaging_app.test_client()
    conversation_id = start(client, buyer, listing_id=listing(seller.id), body="first").get_json()["id"]
    barrier = threading.Barrier(6)

    def burst(who: Member, n: int) -> None:
        local = messaging_app.test_client()
        barrier.wait()
        assert send(local, who, conversation_id, f"{who.id[:4]}-{n}").status_code == 201

    threads = [threading.Thread(target=burst, args=(buyer, n)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    view = client.get(f"{PREFIX}/conversations/{conversation_id}", headers=seller.headers).get_json()
    assert view["unread_count"] == 7
    newest = database["messages"].find_one({"conversation_id": conversation_id}, sort=[("_id", -1)])
    assert newest is not None and view["last_message"]["id"] == newest["_id"]
    conversation = database["conversations"].find_one({"_id": conversation_id})
    assert conversation is not None and conversation["activity"] == newest["_id"]


def test_racing_reads_keep_the_furthest_pointer(
    messaging_app: Flask, member: Callable[..., Member], listing: Callable[..., str], database: Db
) -> None:
    buyer, seller = member(), member()
    client = messaging_app.test_client()
    conversation_id = start(client, buyer, listing_id=listing(seller.id), body="m0").get_json()["id"]
    ids = [send(client, buyer, conversation_id, f"m{n}").get_json()["id"] for n in range(1, 6)]
    barrier = threading.Barrier(len(ids))

    def read(message_id: str) -> None:
        local = messaging_app.test_client()
        barrier.wait()
        response = local.post(
            f"{PREFIX}/conversations/{conversation_id}/read",
            json={"last_read_message_id": message_id},
            headers=seller.headers,
        )
        assert response.status_code == 200

    threads = [threading.Thread(target=read, args=(message_id,)) for message_id in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    stored = database["conversations"].find_one({"_id": conversation_id})
    assert stored is not None and stored["read"][seller.id] == ids[-1]
    # One event per move of the pointer, in the order they were written, each further than the last.
    pointers = [Event.from_json(text).data["last_read_message_id"] for text in stored["outbox"]]
    assert 1 <= len(pointers) <= len(ids) and pointers == sorted(set(pointers)) and pointers[-1] == ids[-1]
    view = client.get(f"{PREFIX}/conversations/{conversation_id}", headers=seller.headers).get_json()
    assert view["unread_count"] == 0


def test_blocks_and_staff_reports_page(
    client: FlaskClient, member: Callable[..., Member], listing: Callable[..., str]
) -> None:
    me, staff = member(), member(staff=True)
    others = [member() for _ in range(3)]
    for other in others:
        assert (
            client.post(f"{PREFIX}/blocks", json={"user_id": other.id}, headers=me.headers).status_code == 201
        )
    first = client.get(f"{PREFIX}/blocks", query_string={"limit": 2}, headers=me.headers).get_json()
    rest = client.get(
        f"{PREFIX}/blocks",
        query_string={"limit": 2, "starting_after": first["data"][-1]["user"]["id"]},
        headers=me.headers,
    ).get_json()
    assert first["has_more"] is True and rest["has_more"] is False
    assert sorted(b["user"]["id"] for b in first["data"] + rest["data"]) == sorted(o.id for o in others)

    report_ids = []
    for _ in range(3):
        buyer, seller = member(), member()
        message = start(client, buyer, listing_id=listing(seller.id)).get_json()["last_message"]
        report = client.post(
            f"{PREFIX}/messages/{message['id']}/report", json={"reason": "spam"}, headers=seller.headers
        )
        report_ids.append(report.get_json()["id"])
    url = f"{PREFIX}/staff/reports"
    page_one = client.get(url, query_string={"limit": 2, "status": "open"}, headers=staff.headers).get_json()
    page_two = client.get(
        url,
        query_string={"limit": 2, "status": "open", "starting_after": page_one["data"][-1]["id"]},
        headers=staff.headers,
    ).get_json()
    assert [r["id"] for r in page_one["data"] + page_two["data"]] == report_ids
    assert (page_one["has_more"], page_two["has_more"]) == (True, False)
    resolved = client.get(url, query_string={"status": "resolved"}, headers=staff.headers).get_json()
    assert resolved == {"data": [], "has_more": False}


def test_message_ids_sort_in_the_order_they_were_made() -> None:
    from uuid import UUID

    from messaging_service.services import new_ordered_id

    ids = [new_ordered_id() for _ in range(5000)]  # many within one millisecond
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert {UUID(value).version for value in ids} == {7}
