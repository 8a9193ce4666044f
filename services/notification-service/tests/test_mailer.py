"""The mailer against real SMTP servers (aiosmtpd on free ports: one that accepts, one that refuses),
the daily digest and the retention purge, on the real FerretDB."""

from __future__ import annotations

import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from dbay_common.events.envelope import Event
from notification_service import mailer
from notification_service.config import load_config
from notification_service.db import DIGEST_ITEMS, EMAILS, NOTIFICATIONS
from notification_service.digest import digests_send, notifications_retention_purge
from notification_service.events import HANDLERS
from notification_service.mailer import mailer_pass
from notification_service.unsubscribe import unsubscribe_target

Make = Callable[[str, dict[str, Any]], Event]


class Inbox:
    """An aiosmtpd handler keeping what it accepts, or refusing every message with ``refuse``."""

    def __init__(self, refuse: str | None = None) -> None:
        self.refuse = refuse
        self.messages: list[EmailMessage] = []
        self.raw: list[bytes] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse:
            return self.refuse
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        with self.lock:
            self.messages.append(parsed)
            self.raw.append(envelope.content)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp(service_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Inbox]]:
    """Start an SMTP server and point SMTP_PORT at it (call again to swap servers)."""
    controllers: list[Controller] = []

    def start(refuse: str | None = None) -> Inbox:
        inbox = Inbox(refuse)
        port = free_port()
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        controller.start()
        controllers.append(controller)
        monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("SMTP_PORT", str(port))
        return inbox

    yield start
    for controller in controllers:
        controller.stop()


def deposit_credited(user_id: str) -> dict[str, Any]:
    return {
        "user_id": user_id,
        "deposit_id": "d-1",
        "txid": "ab" * 32,
        "vout": 0,
        "amount_koinu": "250000000",
        "block_height": 5,
        "block_hash": "00",
        "confirmations": 20,
        "transfer_id": "t",
        "credit_number": 1,
    }


def handle(event: Event) -> None:
    HANDLERS[event.detail_type](event)


def test_a_queued_email_is_sent_once_as_html_and_text_with_one_click_unsubscribe(
    db: Any, event: Make, member: Callable[..., str], smtp: Callable[..., Inbox]
) -> None:
    inbox = smtp()
    user_id = member(email="ada@example.com", name="Ada")
    handle(event("deposit.confirmed", deposit_credited(user_id)))

    assert mailer_pass(config=load_config()) == 1
    assert mailer_pass(config=load_config()) == 0

    [sent] = inbox.messages
    assert (sent["Subject"], sent["To"], sent["From"]) == (
        "Deposit of 2.5 DOGE credited",
        "ada@example.com",
        "dBay <no-reply@dbay.local>",
    )
    header = str(sent["List-Unsubscribe"])
    assert header.startswith("<https://dbay.test/api/v1/notifications/unsubscribe/one-click?token=")
    token = header.removesuffix(">").split("token=")[1]
    target = unsubscribe_target(token, secret=load_config()["UNSUBSCRIBE_SECRET"])
    assert (target.user_id, target.type) == (user_id, "deposit.credited")
    assert sent["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    raw_header = f"\r\nList-Unsubscribe: <https://dbay.test/api/v1/notifications/unsubscribe/one-click?token={token}>\r\n"
    assert raw_header.encode() in inbox.raw[0]  # one line, not RFC 2047-encoded
    assert sent.get_content_type() == "multipart/alternative"
    text = sent.get_body(("plain",)).get_content().replace("\r\n", "\n")
    html = sent.get_body(("html",)).get_content()
    assert text.startswith(
        "Hello Ada,\n\nDeposit of 2.5 DOGE credited\n\n2.5 DOGE is now in your dBay balance"
    )
    assert "Open dBay: https://dbay.test/wallet" in text
    assert f"Unsubscribe from Deposit credited emails: https://dbay.test/unsubscribe?token={token}" in text
    assert 'href="https://dbay.test/wallet"' in html
    assert f'href="https://dbay.test/unsubscribe?token={token}"' in html
    [stored] = db[EMAILS].find()
    assert (stored["state"], stored["attempts"]) == ("sent", 1)


def test_member_text_is_escaped_in_html(
    db: Any, event: Make, member: Callable[..., str], smtp: Callable[..., Inbox]
) -> None:
    inbox = smtp()
    seller = member()
    handle(
        event(
            "message.sent",
            {
                "message_id": "m",
                "conversation_id": str(uuid.uuid4()),
                "listing_id": None,
                "listing_title": None,
                "sender_id": str(uuid.uuid4()),
                "sender_name": "<b>Bob</b>",
                "recipient_id": seller,
                "body": "<script>alert(1)</script>",
                "sent_at": "2026-12-07T18:00:00Z",
            },
        )
    )
    mailer_pass(config=load_config())
    html = inbox.messages[0].get_body(("html",)).get_content()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>" not in html
    assert "New message from &lt;b&gt;Bob&lt;/b&gt;" in html


def test_a_security_email_has_no_unsubscribe(
    event: Make, member: Callable[..., str], smtp: Callable[..., Inbox]
) -> None:
    inbox = smtp()
    user_id = member()
    handle(
        event(
            "withdrawal.broadcast",
            {
                "withdrawal_id": "w",
                "user_id": user_id,
                "txid": "cd" * 32,
                "amount_koinu": "100000000",
                "fee_koinu": "1000000",
            },
        )
    )
    mailer_pass(config=load_config())
    [sent] = inbox.messages
    assert sent["List-Unsubscribe"] is None
    assert (
        "This is a security notice about your dBay account; it is always sent."
        in sent.get_body(("plain",)).get_content()
    )


def test_a_refusing_server_is_retried_with_backoff_then_dead_then_replayed(
    db: Any,
    event: Make,
    member: Callable[..., str],
    smtp: Callable[..., Inbox],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("MAIL_MAX_ATTEMPTS", "3")
    refusing = smtp(refuse="451 4.3.0 Try again later")
    handle(event("deposit.confirmed", deposit_credited(member())))
    [email] = db[EMAILS].find()
    start = email["next_attempt_at"] + timedelta(seconds=1)

    def state() -> tuple[str, int, float]:
        row = db[EMAILS].find_one({"_id": email["_id"]})
        return row["state"], row["attempts"], (row["next_attempt_at"] - start).total_seconds()

    assert mailer_pass(config=load_config(), now=start) == 1
    assert state() == ("queued", 1, 30.0)
    assert mailer_pass(config=load_config(), now=start + timedelta(seconds=29)) == 0  # not due yet
    assert mailer_pass(config=load_config(), now=start + timedelta(seconds=30)) == 1
    assert state() == ("queued", 2, 90.0)  # 30 s doubled: 60 s after the second attempt
    assert mailer_pass(config=load_config(), now=start + timedelta(seconds=90)) == 1
    assert state()[:2] == ("dead", 3)
    assert db[EMAILS].find_one()["last_error"] == "The mail server refused it (451: 4.3.0 Try again later)"
    assert refusing.messages == []

    assert mailer.main(["dead-letters"]) == 0
    # (JSON log lines, if another test configured logging to stdout, are not the listing)
    listing = [line for line in capsys.readouterr().out.splitlines() if not line.startswith("{")]
    assert listing == [
        f"{email['_id']}\tada@example.com\tDeposit of 2.5 DOGE credited\t3\t"
        "The mail server refused it (451: 4.3.0 Try again later)",
        "1 dead email(s)",
    ]
    assert mailer.main(["replay", email["_id"]]) == 0
    assert mailer.main(["replay", email["_id"]]) == 1  # not dead any more

    accepting = smtp()
    assert mailer_pass(config=load_config()) == 1
    assert [m["Subject"] for m in accepting.messages] == ["Deposit of 2.5 DOGE credited"]
    assert state()[:2] == ("sent", 1)


def test_an_unreachable_server_counts_as_a_failed_attempt(
    db: Any,
    event: Make,
    member: Callable[..., str],
    service_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SMTP_PORT", str(free_port()))  # nothing listens there
    handle(event("deposit.confirmed", deposit_credited(member())))
    assert mailer_pass(config=load_config()) == 1
    row = db[EMAILS].find_one()
    assert (row["state"], row["attempts"]) == ("queued", 1)
    assert row["last_error"].startswith("The mail server could not be reached (ConnectionRefusedError")


def test_two_mailers_at_once_send_each_email_once(
    db: Any, event: Make, member: Callable[..., str], smtp: Callable[..., Inbox]
) -> None:
    inbox = smtp()
    for _ in range(12):
        handle(event("deposit.confirmed", deposit_credited(member())))
    config = load_config()
    barrier = threading.Barrier(2)

    def run() -> None:
        barrier.wait()
        mailer_pass(config=config)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(inbox.messages) == 12
    assert len({m["To"] + m["Message-ID"] for m in inbox.messages}) == 12
    assert db[EMAILS].count_documents({"state": "sent", "attempts": 1}) == 12


# -- daily digest and retention -----------------------------------------------------------------------


def search_match(user_id: str, n: int) -> dict[str, Any]:
    return {
        "user_id": user_id,
        "saved_search_id": "s",
        "saved_search_name": "Cameras",
        "listing_id": str(uuid.uuid4()),
        "title": f"Camera {n}",
    }


def test_the_digest_sends_one_email_per_member_per_day(
    db: Any, event: Make, member: Callable[..., str], smtp: Callable[..., Inbox]
) -> None:
    inbox = smtp()
    user_id = member()
    for n in range(3):
        handle(event("search.matched", search_match(user_id, n)))
    morning = datetime(2026, 12, 7, 7, 59, tzinfo=UTC)

    assert digests_send(now=morning) == 0  # before the member's digest hour (8 UTC by default)
    assert digests_send(now=morning + timedelta(minutes=1)) == 1
    assert digests_send(now=morning + timedelta(minutes=6)) == 0
    handle(event("search.matched", search_match(user_id, 3)))
    assert digests_send(now=morning + timedelta(hours=3)) == 0  # one per day: waits for tomorrow
    assert digests_send(now=morning + timedelta(days=1, minutes=1)) == 1

    assert mailer_pass(config=load_config(), now=morning + timedelta(days=1, minutes=2)) == 2
    first, second = sorted(
        inbox.messages, key=lambda m: m.get_body(("plain",)).get_content().count("*"), reverse=True
    )
    assert first["Subject"] == "Your dBay daily digest: 3 updates"
    assert second["Subject"] == "Your dBay daily digest: 1 update"
    text = first.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert [line for line in text.splitlines() if line.startswith("* ")] == ["* New match for “Cameras”"] * 3
    assert "“Camera 2” matches your saved search." in text
    token = str(first["List-Unsubscribe"]).removesuffix(">").split("token=")[1]
    assert unsubscribe_target(token, secret=load_config()["UNSUBSCRIBE_SECRET"]).type == "digest"
    assert db[DIGEST_ITEMS].count_documents({"digest_id": None}) == 0


def test_retention_deletes_only_old_read_notifications(db: Any, service_env: dict[str, str]) -> None:
    now = datetime.now(UTC)
    rows = {
        "old-read": now - timedelta(days=91),
        "recent-read": now - timedelta(days=89),
        "old-unread": None,
    }
    for name, read_at in rows.items():
        db[NOTIFICATIONS].insert_one(
            {
                "_id": name,
                "user_id": "u",
                "type": "search.match",
                "title": "t",
                "body": "b",
                "link": None,
                "created_at": now - timedelta(days=200),
                "read_at": read_at,
            }
        )
    assert notifications_retention_purge() == 1
    assert sorted(row["_id"] for row in db[NOTIFICATIONS].find()) == ["old-unread", "recent-read"]


def test_the_mailer_process_loop_sends_what_is_queued(
    event: Make, member: Callable[..., str], smtp: Callable[..., Inbox], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAIL_POLL_INTERVAL_S", "0")
    inbox = smtp()
    handle(event("deposit.confirmed", deposit_credited(member())))
    assert mailer.run(max_passes=2) == 1
    assert [m["Subject"] for m in inbox.messages] == ["Deposit of 2.5 DOGE credited"]
