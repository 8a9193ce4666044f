"""Account enumeration: registering a taken address, asking for a reset or for the verification mail
again answer the same whether or not the address has an account, and do the same work on the request
path (the address is looked up by the mail worker, after the answer)."""

from __future__ import annotations

from typing import Any

import pytest

from dbay_common.django import celery as dbay_celery
from user_service.accounts.models import User

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/user/auth/register"
FORGOT = "/api/v1/user/auth/password/forgot"
RESEND = "/api/v1/user/auth/resend-verification"
PASSWORD = "Vivid-Otter-Harbor-42"
_VOLATILE_HEADERS = {"X-Request-ID", "X-Correlation-ID"}


def headers(response: Any) -> dict[str, str]:
    return {name: value for name, value in response.items() if name not in _VOLATILE_HEADERS}


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, tuple[Any, ...]]]:
    """What the request queued for after commit, as (task name, arguments), instead of queueing it."""
    calls: list[tuple[str, tuple[Any, ...]]] = []
    monkeypatch.setattr(
        dbay_celery, "enqueue_now", lambda task, *args, **kwargs: calls.append((task.name, args))
    )
    return calls


# -- registration ---------------------------------------------------------------------------------------


def test_a_taken_address_is_answered_exactly_like_a_new_one(api, make_user, unique, outbox):
    owner = make_user()
    outbox_before = outbox()
    fresh = unique("fresh")

    new = api.post(REGISTER, {"email": f"{fresh}@example.com", "username": fresh, "password": PASSWORD})
    taken = api.post(
        REGISTER, {"email": owner.email.upper(), "username": unique("copycat"), "password": PASSWORD}
    )

    assert (new.status_code, new.json()) == (202, {"status": "check_your_email"})
    assert (taken.status_code, taken.content) == (new.status_code, new.content)
    assert headers(taken) == headers(new)
    assert User.objects.filter(email__iexact=owner.email).count() == 1
    assert [event["detail-type"] for event in outbox()] == [
        *[event["detail-type"] for event in outbox_before],
        "user.registered",  # for the new account only
    ]


def test_the_owner_of_a_taken_address_is_mailed_once_an_hour(
    api, make_user, unique, run_after_commit, mail_to, mail_body
):
    owner = make_user()

    with run_after_commit():
        statuses = [
            api.post(
                REGISTER, {"email": owner.email, "username": unique("copycat"), "password": PASSWORD}
            ).status_code
            for _ in range(2)
        ]

    assert statuses == [202, 202]
    (message,) = mail_to(owner.email)
    assert message["Subject"] == "Someone tried to sign up with your email address"
    text = mail_body(message)
    assert f"Hello {owner.username}," in text
    assert "no new account was made" in text
    assert "http://localhost:3000/forgot-password" in text


def test_a_taken_username_is_reported_without_saying_anything_about_the_address(
    api, make_user, unique, queued, django_capture_on_commit_callbacks
):
    owner = make_user()
    other = make_user()

    with django_capture_on_commit_callbacks(execute=True):
        with_taken_address = api.post(
            REGISTER, {"email": owner.email, "username": other.username, "password": PASSWORD}
        )
    with_free_address = api.post(
        REGISTER, {"email": f"{unique('free')}@example.com", "username": other.username, "password": PASSWORD}
    )

    for response in (with_taken_address, with_free_address):
        assert response.status_code == 409
        assert response.json()["error"] == {
            "type": "conflict",
            "code": "username_taken",
            "message": "This username is taken.",
            "param": "username",
        }
    assert queued == []  # nobody is mailed


def test_registration_queues_the_matching_mail_on_each_path(
    api, make_user, unique, queued, django_capture_on_commit_callbacks
):
    owner = make_user()
    fresh = unique("fresh")

    with django_capture_on_commit_callbacks(execute=True):
        api.post(REGISTER, {"email": owner.email, "username": unique("copycat"), "password": PASSWORD})
        api.post(REGISTER, {"email": f"{fresh}@example.com", "username": fresh, "password": PASSWORD})

    created = User.objects.get(username=fresh)
    assert [name for name, _args in queued if name != "dbay_common.relay_outbox"] == [
        "user_service.send_registration_attempt_email",
        "user_service.send_verification_email",
    ]
    assert [args for name, args in queued if name != "dbay_common.relay_outbox"] == [
        (str(owner.id),),
        (str(created.id),),
    ]


# -- forgotten password and verification mail again -----------------------------------------------------


@pytest.mark.parametrize(
    ("url", "task"),
    [
        (FORGOT, "user_service.send_password_reset_email_to_address"),
        (RESEND, "user_service.send_verification_email_to_address"),
    ],
)
def test_known_and_unknown_addresses_run_the_same_request_path_without_a_lookup(
    api, make_user, unique, queued, django_assert_num_queries, django_capture_on_commit_callbacks, url, task
):
    known = make_user()
    unknown = f"{unique('nobody')}@Example.COM"

    with django_capture_on_commit_callbacks(execute=True), django_assert_num_queries(0):
        known_response = api.post(url, {"email": known.email})
    with django_capture_on_commit_callbacks(execute=True), django_assert_num_queries(0):
        unknown_response = api.post(url, {"email": unknown})

    assert (known_response.status_code, known_response.content) == (202, b"{}")
    assert (unknown_response.status_code, unknown_response.content) == (202, b"{}")
    assert headers(known_response) == headers(unknown_response)
    # The same task with the normalised address, whatever it is; the worker does the lookup.
    assert queued == [(task, (known.email,)), (task, (unknown.replace("Example.COM", "example.com"),))]
