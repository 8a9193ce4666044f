"""The mailer: `python -m notification_service.mailer` sends queued email over SMTP.

A process of its own, so a slow or failing SMTP server never holds up the event consumer (which only
writes email intents). Each pass takes the due intents (``state: queued``, ``next_attempt_at`` past)
and, for each, **claims** it with its document lock (a unique insert, the one atomic write FerretDB
has; ``dbay_common.mongo.locks``), re-reads it under the lock, sends it and records the outcome,
so two mailers never send one email in the same pass. A mailer killed after sending and before
recording sends it again once the lease ends: email is at least once.

A failed send is retried with exponential backoff (``MAIL_RETRY_BASE_S`` doubling up to
``MAIL_RETRY_MAX_S``); after ``MAIL_MAX_ATTEMPTS`` the email is ``dead``: staff see it
(``GET staff/emails?state=dead``) and replay it (``POST staff/emails/<id>/replay``), or from a shell:

    python -m notification_service.mailer dead-letters      # list dead emails
    python -m notification_service.mailer replay <id>       # queue one again
"""

from __future__ import annotations

import argparse
import logging
import smtplib
import sys
import threading
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

from dbay_common.errors import ApiError
from dbay_common.mongo.locks import lock_id, try_lock
from dbay_common.shutdown import stop_on_signals
from notification_service.config import load_config
from notification_service.db import EMAILS, LOCKS, STORE, Db, database
from notification_service.email_render import email_message
from notification_service.selectors import email_page
from notification_service.services import email_replay

logger = logging.getLogger(__name__)

#: How long a claim outlives a mailer that died: far above one SMTP send (SMTP_TIMEOUT_S per step).
CLAIM_LEASE_S = 120.0


class SmtpSender:
    """One SMTP connection, opened on first use and dropped after any error (the next send reconnects)."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.connection: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        config = self.config
        connection = smtplib.SMTP(
            config["SMTP_HOST"], int(config["SMTP_PORT"]), timeout=config["SMTP_TIMEOUT_S"]
        )
        if config["SMTP_USE_TLS"]:
            connection.starttls()
        if config["SMTP_USER"]:
            connection.login(config["SMTP_USER"], config["SMTP_PASSWORD"])
        return connection

    def send(self, message: EmailMessage) -> None:
        try:
            if self.connection is None:
                self.connection = self._connect()
            self.connection.send_message(message)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except (smtplib.SMTPException, OSError):
                self.connection.close()
            self.connection = None


def retry_delay_s(attempts: int, *, base_s: float, max_s: float) -> float:
    """Wait before attempt ``attempts + 1``: ``base_s`` doubling per failed attempt, at most ``max_s``."""
    return float(min(base_s * 2 ** max(attempts - 1, 0), max_s))


def _failure_text(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        detail = (
            error.smtp_error.decode(errors="replace")
            if isinstance(error.smtp_error, bytes)
            else error.smtp_error
        )
        return f"The mail server refused it ({error.smtp_code}: {detail})"[:500]
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "The mail server refused the address."
    return f"The mail server could not be reached ({type(error).__name__}: {error})"[:500]


def _send_one(db: Db, config: dict[str, Any], sender: SmtpSender, email_id: str, now: datetime) -> str | None:
    """Send one claimed email and record the outcome; its new state, or None if no longer due."""
    collection = db[EMAILS]
    email = collection.find_one({"_id": email_id})
    if email is None or email.get("state") != "queued" or email["next_attempt_at"] > now:
        return None
    attempts = int(email.get("attempts", 0)) + 1
    try:
        sender.send(email_message(email, config=config))
    except (smtplib.SMTPException, OSError) as error:
        failure = _failure_text(error)
        changes: dict[str, Any] = {"attempts": attempts, "last_error": failure, "last_attempt_at": now}
        if attempts >= int(config["MAIL_MAX_ATTEMPTS"]):
            changes |= {"state": "dead", "dead_at": now}
            logger.error("email %s dead after %d attempts: %s", email_id, attempts, failure)
        else:
            delay = retry_delay_s(
                attempts, base_s=config["MAIL_RETRY_BASE_S"], max_s=config["MAIL_RETRY_MAX_S"]
            )
            changes["next_attempt_at"] = now + timedelta(seconds=delay)
            logger.warning(
                "email %s attempt %d failed (%s); retry in %.0f s", email_id, attempts, failure, delay
            )
        collection.update_one({"_id": email_id}, {"$set": changes})
        return str(changes.get("state", "queued"))
    collection.update_one(
        {"_id": email_id},
        {"$set": {"state": "sent", "sent_at": now, "attempts": attempts, "last_attempt_at": now}},
    )
    logger.info("email %s sent (%s)", email_id, email["type"])
    return "sent"


def mailer_pass(
    *, db: Db | None = None, config: dict[str, Any] | None = None, now: datetime | None = None
) -> int:
    """One pass over the due emails; return how many were attempted (sent, retried or dead)."""
    config = config or load_config()
    db = db if db is not None else database(config["MONGODB_URI"])
    now = now or datetime.now(UTC)
    due = (
        db[EMAILS]
        .find({"state": "queued", "next_attempt_at": {"$lte": now}}, {"_id": 1})
        .sort([("next_attempt_at", 1), ("_id", 1)])
        .limit(int(config["MAIL_BATCH_SIZE"]))
    )
    sender = SmtpSender(config)
    attempted = 0
    try:
        for row in list(due):
            claim = try_lock(db[LOCKS], lock_id(db[EMAILS], row["_id"]), lease_s=CLAIM_LEASE_S)
            if claim is None:
                continue  # another mailer has it
            try:
                if _send_one(db, config, sender, row["_id"], now) is not None:
                    attempted += 1
            finally:
                claim.release()
    finally:
        sender.close()
    return attempted


def run(*, max_passes: int | None = None) -> int:
    """Send until SIGTERM/SIGINT (or ``max_passes`` passes); return how many emails were attempted."""
    config = load_config()
    stop = threading.Event()
    total = passes = 0
    with stop_on_signals(stop.set):
        while not stop.is_set() and (max_passes is None or passes < max_passes):
            passes += 1
            try:
                attempted = mailer_pass(config=config)
            except Exception:  # the store is down: log, wait, try again
                logger.exception("mailer pass failed")
                attempted = 0
            total += attempted
            if attempted < int(config["MAIL_BATCH_SIZE"]):
                stop.wait(config["MAIL_POLL_INTERVAL_S"])
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m notification_service.mailer", description=__doc__)
    commands = parser.add_subparsers(dest="command")
    listing = commands.add_parser("dead-letters", help="list emails that failed every attempt")
    listing.add_argument("--limit", type=int, default=100)
    replay = commands.add_parser("replay", help="queue a dead email again")
    replay.add_argument("email_id")
    args = parser.parse_args(argv)
    if args.command is None:
        STORE.main(run)
        return 0
    db = database()
    if args.command == "dead-letters":
        page = email_page(db, state="dead", limit=args.limit, starting_after=None)
        for email in page["data"]:
            print(
                f"{email['id']}\t{email['to']}\t{email['subject']}\t{email['attempts']}\t{email['last_error']}"
            )
        print(f"{len(page['data'])} dead email(s){' (more exist)' if page['has_more'] else ''}")
        return 0
    try:
        email_replay(database=db, email_id=args.email_id)
    except ApiError as error:
        print(error.message, file=sys.stderr)
        return 1
    print(f"queued {args.email_id} again")
    return 0


if __name__ == "__main__":
    sys.exit(main())
