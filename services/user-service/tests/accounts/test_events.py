"""Every event user-service publishes carries the correlation id of the request (or event) that
caused it, and the id of the event being handled as its causation id."""

from __future__ import annotations

import pytest

from dbay_common.django.outbox.models import OutboxEvent
from dbay_common.events.context import handling_event
from dbay_common.events.envelope import Event
from user_service.accounts import links, services
from user_service.accounts.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "Vivid-Otter-Harbor-42"


def _metadata(detail_type: str) -> dict[str, object]:
    row = OutboxEvent.objects.get(detail_type=detail_type)
    assert (row.source, row.payload["source"]) == ("dbay.user", "dbay.user")
    metadata = row.payload["detail"]["metadata"]
    return {name: metadata[name] for name in ("producer", "correlation_id", "causation_id")}


def test_registration_and_verification_events_carry_the_request_correlation_id(api, unique):
    username = unique("corr")

    registered = api.post(
        "/api/v1/user/auth/register",
        {"email": f"{username}@example.com", "username": username, "password": PASSWORD},
        HTTP_X_CORRELATION_ID="checkout-7f3a",
    )
    token = links.email_verification_token(User.objects.get(username=username))
    verified = api.post("/api/v1/user/auth/verify-email", {"token": token}, HTTP_X_CORRELATION_ID="mail-91c2")

    assert (registered.status_code, verified.status_code) == (202, 200)
    assert _metadata("user.registered") == {
        "producer": "user-service",
        "correlation_id": "checkout-7f3a",
        "causation_id": None,
    }
    assert _metadata("user.email_verified") == {
        "producer": "user-service",
        "correlation_id": "mail-91c2",
        "causation_id": None,
    }


def test_profile_event_carries_the_request_correlation_id(api, make_user, sign_in):
    signed_in = sign_in(make_user())

    response = api.patch(
        "/api/v1/user/me/profile", {"bio": "Collector."}, HTTP_X_CORRELATION_ID="profile-5d", **signed_in.auth
    )

    assert response.status_code == 200
    assert response["X-Correlation-ID"] == "profile-5d"
    assert _metadata("user.profile_updated") == {
        "producer": "user-service",
        "correlation_id": "profile-5d",
        "causation_id": None,
    }


def test_without_a_correlation_header_the_event_carries_the_request_id(api, unique):
    username = unique("reqid")

    response = api.post(
        "/api/v1/user/auth/register",
        {"email": f"{username}@example.com", "username": username, "password": PASSWORD},
    )

    assert response.status_code == 202
    assert _metadata("user.registered")["correlation_id"] == response["X-Request-ID"]


def test_an_event_published_while_handling_another_names_it_as_its_cause(make_user):
    user = make_user()
    handled = Event.new(
        source="dbay.order",
        detail_type="order.completed",
        data={"order_id": "o-1"},
        producer="order-service",
        correlation_id="checkout-7f3a",
    )

    with handling_event(handled):
        services.profile_update(user_id=user.id, changes={"location": "Leeds"})

    assert _metadata("user.profile_updated") == {
        "producer": "user-service",
        "correlation_id": "checkout-7f3a",
        "causation_id": handled.metadata.event_id,
    }


def _session_started(outbox) -> list[dict[str, object]]:
    return [event["data"] for event in outbox() if event["detail-type"] == "session.started"]


def test_a_sign_in_from_a_browser_that_never_signed_this_member_in_is_a_new_device(make_user, outbox):
    from rest_framework.test import APIClient

    user = make_user()
    first_browser, second_browser = APIClient(), APIClient()
    login = {"login": user.username, "password": PASSWORD}

    for browser, agent in (
        (first_browser, "Firefox/140"),
        (first_browser, "Firefox/140"),
        (second_browser, "Safari/19"),
    ):
        assert browser.post("/api/v1/user/auth/login", login, HTTP_USER_AGENT=agent).status_code == 200

    started = _session_started(outbox)
    sessions = {str(s.id): s for s in user.sessions.all()}
    assert [(event["new_device"], event["user_agent"]) for event in started] == [
        (False, "Firefox/140"),  # the first sign-in ever is not news
        (False, "Firefox/140"),  # the same browser: its cookie vouches for the member
        (True, "Safari/19"),
    ]
    assert {event["session_id"] for event in started} == set(sessions)
    assert {event["user_id"] for event in started} == {str(user.id)}
