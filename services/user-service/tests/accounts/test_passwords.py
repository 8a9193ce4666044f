"""Forgotten password (enumeration-safe), reset from the link, change while signed in."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail

from dbay_common.django.outbox.models import OutboxEvent
from user_service.accounts import links
from user_service.accounts.models import Session, User

pytestmark = pytest.mark.django_db

FORGOT = "/api/v1/user/auth/password/forgot"
RESET = "/api/v1/user/auth/password/reset"
CHANGE = "/api/v1/user/me/password"
LOGIN = "/api/v1/user/auth/login"
PASSWORD = "Vivid-Otter-Harbor-42"
NEW_PASSWORD = "Fresh-Lantern-Meadow-7"

_VOLATILE_HEADERS = {"X-Request-ID", "X-Correlation-ID"}


def reset_token(message: mail.EmailMessage) -> str:
    (line,) = [line for line in message.body.splitlines() if line.startswith("http")]
    link = urlsplit(line)
    assert link.path == "/reset-password"
    return parse_qs(link.query)["token"][0]


def test_forgot_answers_identically_whether_or_not_the_account_exists(
    api, make_user, unique, run_after_commit
):
    user = make_user()
    mail.outbox.clear()

    with run_after_commit():
        known = api.post(FORGOT, {"email": user.email})
        unknown = api.post(FORGOT, {"email": f"{unique('nobody')}@example.com"})

    for response in (known, unknown):
        assert response.status_code == 202
        assert response.content == b"{}"
    assert {k: v for k, v in known.items() if k not in _VOLATILE_HEADERS} == {
        k: v for k, v in unknown.items() if k not in _VOLATILE_HEADERS
    }
    assert [message.to for message in mail.outbox] == [[user.email]]
    message = mail.outbox[0]
    assert message.subject == "Reset your dBay password"
    assert "The link works for 1 hour and only once." in message.body


def test_reset_mail_goes_through_the_smtp_sink(api, make_user, run_after_commit, mail_to, mail_body):
    user = make_user()

    with run_after_commit():
        assert api.post(FORGOT, {"email": user.email.upper()}).status_code == 202

    (message,) = mail_to(user.email)
    assert message["Subject"] == "Reset your dBay password"
    (link,) = re.findall(r"https?://\S+", mail_body(message))
    assert link.startswith("http://localhost:3000/reset-password?token=")
    token = parse_qs(urlsplit(link).query)["token"][0]
    assert api.post(RESET, {"token": token, "new_password": NEW_PASSWORD}).status_code == 204


def test_reset_sets_the_password_revokes_every_session_and_works_once(api, make_user, sign_in, outbox):
    user = make_user()
    first, second = sign_in(user), sign_in(user)
    OutboxEvent.objects.all().delete()
    token = links.password_reset_token(User.objects.get(pk=user.pk))

    response = api.post(RESET, {"token": token, "new_password": NEW_PASSWORD})
    again = api.post(RESET, {"token": token, "new_password": "Another-Quiet-River-8"})

    assert response.status_code == 204
    assert again.status_code == 400
    assert again.json()["error"] == {
        "type": "invalid_request",
        "code": "invalid_token",
        "message": "This link is invalid or was already used.",
        "param": "token",
    }
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert set(Session.objects.values_list("revoke_reason", flat=True)) == {"password_reset"}
    for signed_in in (first, second):
        assert (
            api.post("/api/v1/user/auth/refresh", {"refresh_token": signed_in.refresh_token}).status_code
            == 401
        )
    assert api.post(LOGIN, {"login": user.username, "password": PASSWORD}).status_code == 401
    assert api.post(LOGIN, {"login": user.username, "password": NEW_PASSWORD}).status_code == 200
    # The link proved the member reads that mailbox.
    assert user.email_verified_at is not None
    assert sorted(event["detail-type"] for event in outbox()) == [
        "session.revoked",
        "session.revoked",
        "session.started",  # the sign-in with the new password
        "user.email_verified",
    ]


def test_reset_with_a_weak_password_changes_nothing(api, make_user, sign_in):
    user = make_user()
    signed_in = sign_in(user)
    token = links.password_reset_token(User.objects.get(pk=user.pk))

    response = api.post(RESET, {"token": token, "new_password": "password1"})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "weak_password"
    assert response.json()["error"]["param"] == "new_password"
    assert User.objects.get(pk=user.pk).check_password(PASSWORD)
    assert Session.objects.get().revoked_at is None
    assert api.get("/api/v1/user/me", **signed_in.auth).status_code == 200
    # The link still works for a proper password.
    assert api.post(RESET, {"token": token, "new_password": NEW_PASSWORD}).status_code == 204


def test_expired_reset_link(api, make_user, settings):
    user = make_user()
    token = links.password_reset_token(user)
    settings.PASSWORD_RESET_TTL_S = -1

    response = api.post(RESET, {"token": token, "new_password": NEW_PASSWORD})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "token_expired"
    assert User.objects.get(pk=user.pk).check_password(PASSWORD)


def test_a_verification_token_cannot_reset_a_password(api, make_user):
    user = make_user()

    response = api.post(RESET, {"token": links.email_verification_token(user), "new_password": NEW_PASSWORD})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_token"
    assert User.objects.get(pk=user.pk).check_password(PASSWORD)


def test_forgot_is_rate_limited_per_address(api, make_user, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "forgot-account": "2/h"}
    user = make_user()

    statuses = [
        api.post(FORGOT, {"email": user.email}, HTTP_X_FORWARDED_FOR=f"203.0.113.{index}").status_code
        for index in range(3)
    ]

    assert statuses == [202, 202, 429]


def test_change_password_keeps_this_session_and_ends_the_others(api, make_user, sign_in):
    user = make_user()
    this, other = sign_in(user, user_agent="this"), sign_in(user, user_agent="other")

    response = api.post(CHANGE, {"current_password": PASSWORD, "new_password": NEW_PASSWORD}, **this.auth)

    assert response.status_code == 204
    assert User.objects.get(pk=user.pk).check_password(NEW_PASSWORD)
    sessions = {session.user_agent: session.revoke_reason for session in Session.objects.all()}
    assert sessions == {"this": "", "other": "password_changed"}
    assert api.get("/api/v1/user/me", **this.auth).status_code == 200
    assert api.get("/api/v1/user/me", **other.auth).status_code == 401


@pytest.mark.parametrize(
    ("current", "new", "code", "param"),
    [
        ("Wrong-Password-11", NEW_PASSWORD, "invalid_credentials", "current_password"),
        (PASSWORD, PASSWORD, "weak_password", "new_password"),
        (PASSWORD, "letmein123", "weak_password", "new_password"),
    ],
)
def test_change_password_refusals_change_nothing(api, make_user, sign_in, current, new, code, param):
    user = make_user()
    this, other = sign_in(user), sign_in(user)

    response = api.post(CHANGE, {"current_password": current, "new_password": new}, **this.auth)

    assert response.status_code == 400
    assert (response.json()["error"]["code"], response.json()["error"]["param"]) == (code, param)
    assert User.objects.get(pk=user.pk).check_password(PASSWORD)
    assert Session.objects.filter(revoked_at__isnull=True).count() == 2
    assert api.get("/api/v1/user/me", **other.auth).status_code == 200
