"""Email verification: the link, verifying, expiry and tampering, resending."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail

from dbay_common.django.outbox.models import OutboxEvent
from user_service.accounts import links, services
from user_service.accounts.models import User

pytestmark = pytest.mark.django_db

VERIFY = "/api/v1/user/auth/verify-email"
RESEND = "/api/v1/user/auth/resend-verification"


def token_from(message: mail.EmailMessage, path: str) -> str:
    (line,) = [line for line in message.body.splitlines() if line.startswith("http")]
    link = urlsplit(line)
    assert link.path == path
    return parse_qs(link.query)["token"][0]


def test_verification_message_content(make_user, settings):
    settings.PUBLIC_WEB_URL = "https://dbay.example"
    user = make_user()

    message = links.verification_email(user)

    assert message.subject == "Confirm your email address for dBay"
    assert message.to == [user.email]
    assert message.body.startswith(f"Hello {user.username},\n\nPlease confirm your email address for dBay")
    assert "The link works for 48 hours." in message.body
    line = next(line for line in message.body.splitlines() if line.startswith("https://"))
    assert line.startswith("https://dbay.example/verify-email?token=")


def test_verify_marks_the_email_verified_once_and_emits_one_event(api, make_user, outbox):
    user = make_user()
    OutboxEvent.objects.all().delete()
    token = links.email_verification_token(user)

    first = api.post(VERIFY, {"token": token})
    again = api.post(VERIFY, {"token": token})

    assert first.status_code == 200
    assert first.json()["user"]["email_verified"] is True
    assert again.status_code == 200
    user.refresh_from_db()
    assert user.email_verified_at is not None
    assert outbox() == [
        {
            "source": "dbay.user",
            "detail-type": "user.email_verified",
            "producer": "user-service",
            "version": 1,
            "data": {
                "user_id": str(user.id),
                "email": user.email,
                "verified_at": user.email_verified_at.isoformat().replace("+00:00", "Z"),
            },
        }
    ]


def test_expired_link_is_token_expired_and_changes_nothing(api, make_user, settings, outbox):
    user = make_user()
    OutboxEvent.objects.all().delete()
    token = links.email_verification_token(user)
    settings.EMAIL_VERIFICATION_TTL_S = -1  # every token is already too old

    response = api.post(VERIFY, {"token": token})

    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "type": "invalid_request",
            "code": "token_expired",
            "message": "This link has expired; ask for a new one.",
            "param": "token",
        }
    }
    user.refresh_from_db()
    assert user.email_verified_at is None
    assert outbox() == []


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: "not-a-token",
        lambda token: token.replace(token.split(".")[0], token.split(".")[0][::-1]),
    ],
    ids=["signature", "garbage", "payload"],
)
def test_tampered_link_is_invalid_token(api, make_user, tamper):
    user = make_user()
    token = links.email_verification_token(user)

    response = api.post(VERIFY, {"token": tamper(token)})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_token"
    user.refresh_from_db()
    assert user.email_verified_at is None


def test_a_reset_token_does_not_verify_an_email(api, make_user):
    user = make_user()

    response = api.post(VERIFY, {"token": links.password_reset_token(user)})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_token"


def test_link_for_an_address_the_account_no_longer_has_is_invalid(api, make_user):
    user = make_user()
    token = links.email_verification_token(user)
    User.objects.filter(pk=user.pk).update(email=f"changed-{user.email}")

    response = api.post(VERIFY, {"token": token})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_token"
    assert User.objects.get(pk=user.pk).email_verified_at is None


def test_resend_answers_202_for_any_address_and_mails_only_unverified_accounts(
    api, make_user, run_after_commit, unique
):
    unverified = make_user()
    verified = make_user()
    services.user_email_verify(token=links.email_verification_token(verified))
    mail.outbox.clear()

    with run_after_commit():
        responses = [
            api.post(RESEND, {"email": unverified.email.upper()}),
            api.post(RESEND, {"email": verified.email}),
            api.post(RESEND, {"email": f"{unique('nobody')}@example.com"}),
        ]

    assert [(response.status_code, response.json()) for response in responses] == [(202, {})] * 3
    assert [message.to for message in mail.outbox] == [[unverified.email]]
    token = token_from(mail.outbox[0], "/verify-email")
    assert api.post(VERIFY, {"token": token}).status_code == 200


def test_resend_is_rate_limited_per_address(api, make_user, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "resend-account": "2/h"}
    user = make_user()

    statuses = [
        api.post(RESEND, {"email": user.email}, HTTP_X_FORWARDED_FOR=f"203.0.113.{index}").status_code
        for index in range(3)
    ]

    assert statuses == [202, 202, 429]


def test_verify_is_rate_limited_per_ip(api, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "verify-ip": "2/h"}

    statuses = [api.post(VERIFY, {"token": "x"}).status_code for _ in range(3)]

    assert statuses == [400, 400, 429]
