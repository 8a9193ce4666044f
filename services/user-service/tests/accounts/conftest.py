"""Fixtures of the accounts tests: real PostgreSQL (pytest-django), real Redis (rate limits, lockout,
on a test db with a per-test key prefix), the real SMTP sink of the dev stack for mail.

Helpers are fixtures returning callables so test modules need no import path to this folder.
"""

from __future__ import annotations

import mailbox
import os
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt as pyjwt
import pyotp
import pytest
import redis
from rest_framework.test import APIClient

from dbay_common.django.celery import relay_publisher
from dbay_common.django.outbox.models import OutboxEvent
from user_service.accounts import keys, services
from user_service.accounts.models import User
from user_service.celery import app as celery_app

PASSWORD = "Vivid-Otter-Harbor-42"
REPO = Path(__file__).resolve().parents[4]
MAILDIR = Path(os.environ.get("DBAY_DATA_DIR", REPO / ".devstack")) / "mail"


@pytest.fixture(autouse=True)
def _isolated(settings: Any, redis_url: str, redis_key_prefix: str) -> Iterator[None]:
    """Rate limits and lockouts on a Redis test db under a key prefix of this test; fresh key cache."""
    settings.RATELIMIT_REDIS_URL = redis_url
    settings.RATELIMIT_KEY_PREFIX = redis_key_prefix
    keys.reset_key_cache()
    yield
    keys.reset_key_cache()
    client = redis.Redis.from_url(redis_url)
    try:
        for key in client.scan_iter(f"{redis_key_prefix}*"):
            client.delete(key)
    finally:
        client.close()


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def unique() -> Callable[[str], str]:
    """``unique("ada")`` → ``ada_3f9c1e2a`` (usernames and emails that never collide between runs)."""

    def make(stem: str) -> str:
        return f"{stem}_{uuid.uuid4().hex[:8]}"

    return make


@pytest.fixture
def make_user(unique: Callable[[str], str]) -> Callable[..., User]:
    """A member created by the real registration service (``password`` = PASSWORD by default)."""

    def make(*, username: str | None = None, email: str | None = None, password: str = PASSWORD) -> User:
        name = username or unique("member")
        return services.user_register(
            email=email or f"{name.lower()}@example.com", username=name, password=password
        )

    return make


@dataclass
class SignedIn:
    user: User
    access_token: str
    refresh_token: str
    body: dict[str, Any]

    @property
    def auth(self) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.access_token}"}

    @property
    def claims(self) -> dict[str, Any]:
        return pyjwt.decode(self.access_token, options={"verify_signature": False})


@pytest.fixture
def sign_in(api: APIClient) -> Callable[..., SignedIn]:
    """Sign ``user`` in through the API (no 2FA) and return the tokens."""

    def run(user: User, *, password: str = PASSWORD, user_agent: str = "pytest") -> SignedIn:
        response = api.post(
            "/api/v1/user/auth/login",
            {"login": user.username, "password": password},
            HTTP_USER_AGENT=user_agent,
        )
        assert response.status_code == 200, response.content
        body = response.json()
        return SignedIn(
            user=user, access_token=body["access_token"], refresh_token=body["refresh_token"], body=body
        )

    return run


@pytest.fixture
def totp_code() -> Callable[[User, str], str]:
    """A valid TOTP code for ``secret`` that the server has not seen for ``user`` (waits for the next
    30 s step when the two steps usable now are spent)."""

    def next_code(user: User, secret: str) -> str:
        last_step = User.objects.get(pk=user.pk).totp_last_step
        while True:
            now = time.time()
            current = int(now // 30)
            step = max(last_step + 1, current)
            if step <= current + 1:
                return pyotp.TOTP(secret).at(step * 30)
            time.sleep((step - 1) * 30 - now + 0.05)

    return next_code


@pytest.fixture
def wrong_code() -> Callable[[str], str]:
    """A 6-digit code that is not valid for ``secret`` in the current window."""

    def make(secret: str) -> str:
        now = time.time()
        valid = {pyotp.TOTP(secret).at(now + offset * 30) for offset in (-2, -1, 0, 1, 2)}
        return next(code for code in ("000000", "111111", "222222", "333333") if code not in valid)

    return make


@pytest.fixture
def outbox() -> Callable[[], list[dict[str, Any]]]:
    """The events in the outbox as ``{"detail-type", "data", "source", "producer"}``, oldest first."""

    def read() -> list[dict[str, Any]]:
        events = []
        for row in OutboxEvent.objects.order_by("created_at", "id"):
            events.append(
                {
                    "source": row.payload["source"],
                    "detail-type": row.payload["detail-type"],
                    "producer": row.payload["detail"]["metadata"]["producer"],
                    "version": row.payload["detail"]["metadata"]["version"],
                    "data": row.payload["detail"]["data"],
                }
            )
        return events

    return read


@pytest.fixture
def run_after_commit(
    django_capture_on_commit_callbacks: Callable[..., AbstractContextManager[Any]],
    event_bus_env: Any,
) -> Iterator[Callable[[], AbstractContextManager[Any]]]:
    """``with run_after_commit(): ...`` runs what the code queued for after commit (Celery tasks run
    eagerly: mail goes to the real SMTP sink; the outbox relay publishes to a test stream)."""
    relay_publisher.cache_clear()
    previous = (celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates)
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    try:
        yield lambda: django_capture_on_commit_callbacks(execute=True)
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = previous
        relay_publisher.cache_clear()


@pytest.fixture
def mail_to(settings: Any) -> Callable[[str], list[mailbox.MaildirMessage]]:
    """Messages the SMTP sink (the dev stack's Maildir) holds for ``address``.

    Also puts back the SMTP backend that Django's test set-up swaps for the in-memory one, so mail
    in the test really goes through SMTP to the sink.
    """
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"

    def read(address: str) -> list[mailbox.MaildirMessage]:
        box = mailbox.Maildir(MAILDIR, create=False)
        found = [message for message in box if address.lower() in (message.get("To") or "").lower()]
        return sorted(found, key=lambda message: message.get_date())

    return read


def mail_text(message: Any) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            return payload.decode(part.get_content_charset() or "utf-8")
    return ""


@pytest.fixture
def mail_body() -> Callable[[Any], str]:
    return mail_text
