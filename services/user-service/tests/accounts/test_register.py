"""POST auth/register: the account, its profile, the event, the verification mail, and what is refused."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from dbay_common.django.outbox.models import OutboxEvent
from user_service.accounts.models import Profile, User
from user_service.celery import app as celery_app

pytestmark = pytest.mark.django_db

URL = "/api/v1/user/auth/register"
PASSWORD = "Vivid-Otter-Harbor-42"


def test_register_creates_a_buyer_and_seller_with_an_empty_profile(api, unique, outbox):
    username = unique("Ada")
    response = api.post(URL, {"email": f"{username}@Example.COM", "username": username, "password": PASSWORD})

    assert (response.status_code, response.json()) == (202, {"status": "check_your_email"})
    user = User.objects.get(username=username)
    assert (user.email, user.email_verified_at, user.roles) == (
        f"{username}@example.com",
        None,
        ["buyer", "seller"],
    )
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password(PASSWORD)
    assert user.is_staff is False
    assert Profile.objects.filter(user=user).count() == 1
    assert outbox() == [
        {
            "source": "dbay.user",
            "detail-type": "user.registered",
            "producer": "user-service",
            "version": 1,
            "data": {
                "user_id": str(user.id),
                "username": username,
                "email": f"{username}@example.com",
                "roles": ["buyer", "seller"],
                "registered_at": user.created_at.isoformat().replace("+00:00", "Z"),
            },
        }
    ]


def test_register_sends_the_verification_link_through_the_smtp_sink(
    api, unique, run_after_commit, mail_to, mail_body, event_bus_env, events_redis
):
    username = unique("mailer")
    email = f"{username}@example.com"

    with run_after_commit():
        response = api.post(URL, {"email": email, "username": username, "password": PASSWORD})

    assert response.status_code == 202
    messages = mail_to(email)
    assert len(messages) == 1
    assert messages[0]["Subject"] == "Confirm your email address for dBay"
    assert messages[0]["From"] == "dBay <no-reply@dbay.local>"
    text = mail_body(messages[0])
    links = re.findall(r"https?://\S+", text)
    assert len(links) == 1
    link = urlsplit(links[0])
    assert (link.scheme, link.netloc, link.path) == ("http", "localhost:3000", "/verify-email")
    token = parse_qs(link.query)["token"][0]

    # The link verifies the address.
    verified = api.post("/api/v1/user/auth/verify-email", {"token": token})
    assert verified.status_code == 200
    assert verified.json()["user"]["email_verified"] is True

    # The outbox relay ran after commit too: user.registered is on the (test) event stream.
    entries = events_redis.xrange(event_bus_env.stream)
    assert [fields["detail_type"] for _id, fields in entries] == ["user.registered"]
    assert OutboxEvent.objects.get(detail_type="user.registered").published_at is not None


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Short-1a", "This password is too short. It must contain at least 10 characters."),
        ("password123", "This password is too common."),
        ("P@ssw0rd2024!", "This password is a common password with a few changes."),
        ("qwertyuiop12", "This password is a keyboard or alphabet sequence."),
        ("8403928471623", "This password is entirely numeric."),
        ("zzzzzzzzzzzz", "This password repeats one or two characters."),
        ("x" * 129 + "Ab1!", "This password is too long (at most 128 characters)."),
    ],
)
def test_weak_passwords_are_refused_and_nothing_is_created(api, unique, outbox, password, message):
    username = unique("weak")

    response = api.post(URL, {"email": f"{username}@example.com", "username": username, "password": password})

    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["type"], error["code"], error["param"]) == ("invalid_request", "weak_password", "password")
    assert message in error["message"]
    assert not User.objects.filter(username=username).exists()
    assert outbox() == []


def test_password_containing_the_username_is_refused(api, unique):
    username = unique("harbor")

    response = api.post(
        URL, {"email": f"x{username}@example.com", "username": username, "password": f"{username}!Zq"}
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "weak_password"
    assert not User.objects.filter(username=username).exists()


def test_email_and_username_are_unique_regardless_of_case(api, make_user, unique, outbox):
    existing = make_user(username=unique("Taken"))
    OutboxEvent.objects.all().delete()

    same_email = api.post(
        URL, {"email": existing.email.upper(), "username": unique("other"), "password": PASSWORD}
    )
    same_username = api.post(
        URL,
        {
            "email": f"{unique('fresh')}@example.com",
            "username": existing.username.lower(),
            "password": PASSWORD,
        },
    )

    # A taken address is answered like a new one (test_enumeration.py); a taken username is reported.
    assert (same_email.status_code, same_email.json()) == (202, {"status": "check_your_email"})
    assert same_username.status_code == 409
    assert same_username.json()["error"]["code"] == "username_taken"
    assert same_username.json()["error"]["param"] == "username"
    assert User.objects.count() == 1
    assert outbox() == []


def test_reserved_and_malformed_usernames_are_refused(api, unique):
    reserved = api.post(
        URL, {"email": f"{unique('a')}@example.com", "username": "Admin", "password": PASSWORD}
    )
    malformed = api.post(
        URL, {"email": f"{unique('b')}@example.com", "username": "ada lovelace", "password": PASSWORD}
    )
    too_short = api.post(URL, {"email": f"{unique('c')}@example.com", "username": "ab", "password": PASSWORD})

    assert reserved.status_code == 409
    assert reserved.json()["error"]["code"] == "username_taken"
    assert malformed.status_code == 400
    assert malformed.json()["error"] == {
        "type": "invalid_request",
        "code": "invalid_field",
        "message": "username: Use only letters, digits and underscores.",
        "param": "username",
    }
    assert too_short.status_code == 400
    assert too_short.json()["error"]["code"] == "min_length"
    assert User.objects.count() == 0


def test_extra_fields_like_is_staff_and_roles_are_ignored(api, unique):
    username = unique("sneaky")

    response = api.post(
        URL,
        {
            "email": f"{username}@example.com",
            "username": username,
            "password": PASSWORD,
            "is_staff": True,
            "roles": ["staff"],
            "email_verified": True,
            "id": "00000000-0000-0000-0000-000000000001",
        },
    )

    assert response.status_code == 202
    user = User.objects.get(username=username)
    assert (user.is_staff, user.email_verified_at) == (False, None)
    assert str(user.id) != "00000000-0000-0000-0000-000000000001"
    assert user.roles == ["buyer", "seller"]


def test_idempotency_key_replays_the_first_response(api, unique):
    username = unique("idem")
    body = {"email": f"{username}@example.com", "username": username, "password": PASSWORD}

    first = api.post(URL, body, HTTP_IDEMPOTENCY_KEY="register-1")
    again = api.post(URL, body, HTTP_IDEMPOTENCY_KEY="register-1")
    other_body = api.post(URL, {**body, "username": unique("idem2")}, HTTP_IDEMPOTENCY_KEY="register-1")

    assert first.status_code == 202
    assert again.status_code == 202
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert other_body.status_code == 422
    assert other_body.json()["error"]["code"] == "idempotency_key_reused"
    assert User.objects.count() == 1


def test_registration_is_rate_limited_per_ip(api, unique, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "register-ip": "2/h"}

    statuses = []
    for index in range(3):
        name = unique(f"burst{index}")
        response = api.post(
            URL,
            {"email": f"{name}@example.com", "username": name, "password": PASSWORD},
            HTTP_X_FORWARDED_FOR="198.51.100.20",
        )
        statuses.append(response.status_code)
    other_ip = unique("elsewhere")
    elsewhere = api.post(
        URL,
        {"email": f"{other_ip}@example.com", "username": other_ip, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.21",
    )

    assert statuses == [202, 202, 429]
    assert response.json() == {
        "error": {
            "type": "rate_limit_error",
            "code": "rate_limited",
            "message": "Too many sign-ups from your network; try again later.",
        }
    }
    assert 1790 <= int(response["Retry-After"]) <= 1800  # 2 per hour: one every 30 minutes
    assert User.objects.count() == 3
    assert elsewhere.status_code == 202


def test_malformed_json_is_a_400_without_internals(api):
    response = api.post(URL, data='{"email": ', content_type="application/json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_json"
    assert "Traceback" not in response.content.decode()


def test_registration_succeeds_when_the_broker_is_down(
    api, unique, outbox, closed_port, django_capture_on_commit_callbacks, caplog
):
    username = unique("nobroker")
    previous = celery_app.conf.broker_url
    celery_app.conf.broker_url = f"redis://127.0.0.1:{closed_port}/0"
    try:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = api.post(
                URL, {"email": f"{username}@example.com", "username": username, "password": PASSWORD}
            )
    finally:
        celery_app.conf.broker_url = previous

    # The member exists and can ask for the mail again; the event waits in the outbox for beat's relay.
    assert response.status_code == 202
    assert User.objects.filter(username=username).count() == 1
    assert [event["detail-type"] for event in outbox()] == ["user.registered"]
    assert OutboxEvent.objects.get(detail_type="user.registered").published_at is None
    assert len(callbacks) == 2  # the verification mail and the outbox relay, both refused by the broker
    queued = [record.getMessage() for record in caplog.records if "could not queue" in record.getMessage()]
    assert sorted(queued) == [
        "could not queue dbay_common.relay_outbox; it runs on its next schedule or retry",
        "could not queue user_service.send_verification_email; it runs on its next schedule or retry",
    ]
