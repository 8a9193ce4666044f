"""Reports to staff, and who may do what with a conversation (the authorization matrix)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

from .support import PREFIX, Db, Member, outbox_events, send, start


def test_a_reported_message_reaches_staff_who_resolve_it_once(
    client: FlaskClient, member: Callable[..., Member], listing: Callable[..., str], database: Db
) -> None:
    buyer, seller, staff = member(), member(display_name="Sam S."), member(staff=True)
    conversation = start(client, buyer, listing_id=listing(seller.id), body="Hi").get_json()
    rude = send(client, seller, conversation["id"], "Pay me outside dBay").get_json()

    report = client.post(
        f"{PREFIX}/messages/{rude['id']}/report", json={"reason": " Scam attempt "}, headers=buyer.headers
    )
    again = client.post(
        f"{PREFIX}/messages/{rude['id']}/report", json={"reason": "Again"}, headers=buyer.headers
    )

    assert report.status_code == 201 and report.get_json() == {
        "id": report.get_json()["id"],
        "status": "open",
    }
    assert again.get_json()["id"] == report.get_json()["id"]
    assert database["reports"].count_documents({}) == 1
    queue = client.get(
        f"{PREFIX}/staff/reports", query_string={"status": "open"}, headers=staff.headers
    ).get_json()
    assert [r["id"] for r in queue["data"]] == [report.get_json()["id"]]
    item = queue["data"][0]
    assert (item["reporter_id"], item["reported_user_id"]) == (buyer.id, seller.id)
    assert (item["reason"], item["message"]["body"], item["reported_user"]["display_name"]) == (
        "Scam attempt",
        "Pay me outside dBay",
        "Sam S.",
    )
    detail = client.get(f"{PREFIX}/staff/reports/{item['id']}", headers=staff.headers).get_json()
    assert [m["body"] for m in detail["messages"]] == ["Hi", "Pay me outside dBay"]
    assert {p["id"] for p in detail["participants"]} == {buyer.id, seller.id}
    assert detail["listing"]["title"] == "Canon EOS 5D Mark IV body"

    url = f"{PREFIX}/staff/reports/{item['id']}/resolve"
    resolved = client.post(
        url, json={"outcome": "action_taken", "note": "Warned the seller"}, headers=staff.headers
    )
    twice = client.post(url, json={"outcome": "dismissed", "note": "x"}, headers=staff.headers)

    assert resolved.status_code == 200
    body = resolved.get_json()
    assert (body["status"], body["outcome"], body["note"], body["resolved_by"]) == (
        "resolved",
        "action_taken",
        "Warned the seller",
        staff.id,
    )
    assert (twice.status_code, twice.get_json()["error"]["code"]) == (409, "report_already_resolved")
    assert (
        client.get(
            f"{PREFIX}/staff/reports", query_string={"status": "open"}, headers=staff.headers
        ).get_json()["data"]
        == []
    )
    own = client.post(f"{PREFIX}/messages/{rude['id']}/report", json={"reason": "x"}, headers=seller.headers)
    assert (own.status_code, own.get_json()["error"]["code"]) == (400, "cannot_report_own_message")
    empty = client.post(
        f"{PREFIX}/messages/{conversation['last_message']['id']}/report",
        json={"reason": " "},
        headers=seller.headers,
    )
    assert empty.status_code == 400


def test_only_the_two_parties_and_staff_through_a_report_see_a_conversation(
    client: FlaskClient, member: Callable[..., Member], listing: Callable[..., str], database: Db
) -> None:
    a, b, other, staff = member(), member(), member(), member(staff=True)
    reported = start(client, a, listing_id=listing(b.id), body="Hi").get_json()
    reported_message = send(client, b, reported["id"], "reply").get_json()
    report_id = client.post(
        f"{PREFIX}/messages/{reported_message['id']}/report", json={"reason": "spam"}, headers=a.headers
    ).get_json()["id"]
    quiet = start(client, a, recipient_id=b.id, body="Hello").get_json()
    quiet_message = send(client, b, quiet["id"], "hey").get_json()
    anonymous = Member(id="", username="", headers={})
    actors = {"A": a, "B": b, "member": other, "staff": staff, "anonymous": anonymous}

    def calls(conversation: dict[str, Any], message: dict[str, Any]) -> dict[str, Callable[[Member], Any]]:
        cid = conversation["id"]
        return {
            "get": lambda who: client.get(f"{PREFIX}/conversations/{cid}", headers=who.headers),
            "messages": lambda who: client.get(f"{PREFIX}/conversations/{cid}/messages", headers=who.headers),
            "send": lambda who: send(client, who, cid, "hello"),
            "read": lambda who: client.post(
                f"{PREFIX}/conversations/{cid}/read",
                json={"last_read_message_id": message["id"]},
                headers=who.headers,
            ),
            "report": lambda who: client.post(
                f"{PREFIX}/messages/{message['id']}/report", json={"reason": "bad"}, headers=who.headers
            ),
        }

    endpoints = {
        **{f"reported:{k}": v for k, v in calls(reported, reported_message).items()},
        **{f"quiet:{k}": v for k, v in calls(quiet, quiet_message).items()},
        "staff:report": lambda who: client.get(f"{PREFIX}/staff/reports/{report_id}", headers=who.headers),
        "staff:list": lambda who: client.get(f"{PREFIX}/staff/reports", headers=who.headers),
        "staff:resolve": lambda who: client.post(
            f"{PREFIX}/staff/reports/{report_id}/resolve",
            json={"outcome": "dismissed", "note": "ok"},
            headers=who.headers,
        ),
    }
    messages_before = database["messages"].count_documents({})
    reads_before = len(outbox_events(database, "conversation.read"))

    # Each message used is B's: A may report it, B may not (their own). Staff resolve last.
    table = {
        actor: {name: call(who).status_code for name, call in endpoints.items()}
        for actor, who in [(k, actors[k]) for k in ("anonymous", "member", "A", "B", "staff")]
    }

    party = {"get": 200, "messages": 200, "send": 201, "read": 200}
    outsider = dict.fromkeys(("get", "messages", "send", "read", "report"), 404)

    def both(values: dict[str, int]) -> dict[str, int]:
        return {f"{scope}:{k}": v for scope in ("reported", "quiet") for k, v in values.items()}

    assert table == {
        "anonymous": {
            **both(dict.fromkeys(outsider, 401)),
            "staff:report": 401,
            "staff:list": 401,
            "staff:resolve": 401,
        },
        "member": {**both(outsider), "staff:report": 403, "staff:list": 403, "staff:resolve": 403},
        "A": {**both({**party, "report": 201}), "staff:report": 403, "staff:list": 403, "staff:resolve": 403},
        "B": {**both({**party, "report": 400}), "staff:report": 403, "staff:list": 403, "staff:resolve": 403},
        "staff": {**both(outsider), "staff:report": 200, "staff:list": 200, "staff:resolve": 200},
    }
    # Only the parties' four sends were stored, only their reads told anyone, and nobody else's list
    # shows the conversations.
    assert database["messages"].count_documents({}) == messages_before + 4
    assert {e.data["reader_id"] for e in outbox_events(database, "conversation.read")[reads_before:]} == {
        a.id,
        b.id,
    }
    assert database["reports"].count_documents({"reporter_id": {"$ne": a.id}}) == 0
    for who in (other, staff):
        assert client.get(f"{PREFIX}/conversations", headers=who.headers).get_json()["data"] == []
        assert client.get(f"{PREFIX}/unread-count", headers=who.headers).get_json() == {"unread_count": 0}
    assert client.get(f"{PREFIX}/conversations", headers=anonymous.headers).status_code == 401
