"""Every path that ends a session publishes one ``session.revoked`` per ended session, in the revoking
transaction, and ``GET me/session`` (introspection) answers 200 until then and 401 from then on."""

from __future__ import annotations

from datetime import datetime, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from dbay_common.django.outbox.models import OutboxEvent
from user_service.accounts import links, services
from user_service.accounts.models import Session, User

pytestmark = pytest.mark.django_db

PASSWORD = "Vivid-Otter-Harbor-42"
NEW_PASSWORD = "Fresh-Lantern-Meadow-7"
SESSION = "/api/v1/user/me/session"
REFRESH = "/api/v1/user/auth/refresh"
LOGOUT = "/api/v1/user/auth/logout"


def revocations() -> list[dict[str, Any]]:
    """The ``session.revoked`` events in the outbox, oldest first: (data, version)."""
    rows = OutboxEvent.objects.filter(detail_type="session.revoked").order_by("created_at", "id")
    return [
        {**row.payload["detail"]["data"], "version": row.payload["detail"]["metadata"]["version"]}
        for row in rows
    ]


def expected(session_id: Any, reason: str) -> dict[str, Any]:
    """The event's data for a session the database now shows revoked with ``reason``."""
    session = Session.objects.get(pk=session_id)
    assert session.revoked_at is not None
    return {
        "session_id": str(session.id),
        "user_id": str(session.user_id),
        "revoked_at": session.revoked_at,
        "reason": reason,
        "version": 1,
    }


def parsed(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {**event, "revoked_at": datetime.fromisoformat(event["revoked_at"].replace("Z", "+00:00"))}
        for event in events
    ]


def introspect(api: Any, signed_in: Any) -> tuple[int, Any]:
    response = api.get(SESSION, **signed_in.auth)
    return response.status_code, response.json()


def assert_ended(api: Any, signed_in: Any) -> None:
    status, body = introspect(api, signed_in)
    assert (status, body["error"]["code"]) == (401, "session_revoked")
    assert body["error"]["type"] == "authentication_error"


@pytest.fixture(autouse=True)
def _empty_outbox() -> None:
    OutboxEvent.objects.all().delete()


# -- GET me/session -------------------------------------------------------------------------------------


def test_me_session_describes_the_live_session_in_one_query(
    api, make_user, sign_in, django_assert_num_queries
):
    user = make_user()
    signed_in = sign_in(user)

    with django_assert_num_queries(1):
        response = api.get(SESSION, **signed_in.auth)

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response.json() == {
        "session_id": signed_in.claims["sid"],
        "user_id": str(user.id),
        "active": True,
        "email_verified": False,
        "mfa_enabled": False,
    }


def test_me_session_gives_the_current_email_verified_not_the_tokens(api, make_user, sign_in):
    user = make_user()
    signed_in = sign_in(user)
    services.user_email_verify(token=links.email_verification_token(user))

    status, body = introspect(api, signed_in)

    assert signed_in.claims["email_verified"] is False
    assert (status, body["email_verified"]) == (200, True)


def test_me_session_says_when_2fa_is_on(api, make_user, sign_in):
    user = make_user()
    signed_in = sign_in(user)
    User.objects.filter(pk=user.pk).update(totp_secret_encrypted="sealed", totp_enabled_at=timezone.now())

    assert introspect(api, signed_in)[1]["mfa_enabled"] is True


def test_me_session_refuses_expired_sessions_disabled_accounts_and_no_token(api, make_user, sign_in):
    expired, disabled = sign_in(make_user()), sign_in(make_user())
    Session.objects.filter(pk=expired.claims["sid"]).update(expires_at=timezone.now() - timedelta(seconds=1))
    User.objects.filter(pk=disabled.user.pk).update(is_active=False)

    assert_ended(api, expired)
    assert_ended(api, disabled)
    anonymous = api.get(SESSION)
    assert (anonymous.status_code, anonymous.json()["error"]["code"]) == (401, "not_authenticated")
    broken = api.get(SESSION, HTTP_AUTHORIZATION="Bearer not.a.token")
    assert (broken.status_code, broken.json()["error"]["code"]) == (401, "invalid_token")
    assert revocations() == []


def test_me_session_is_not_rate_limited_for_a_burst(api, make_user, sign_in):
    signed_in = sign_in(make_user())

    statuses = {api.get(SESSION, **signed_in.auth).status_code for _ in range(150)}

    assert statuses == {200}


# -- each path that ends a session ----------------------------------------------------------------------


def test_logout_publishes_sign_out_once(api, make_user, sign_in):
    signed_in = sign_in(make_user())
    assert introspect(api, signed_in)[0] == 200

    first = api.post(LOGOUT, {"refresh_token": signed_in.refresh_token})
    again = api.post(LOGOUT, {"refresh_token": signed_in.refresh_token}, **signed_in.auth)

    assert (first.status_code, again.status_code) == (204, 204)
    assert parsed(revocations()) == [expected(signed_in.claims["sid"], "sign_out")]
    assert_ended(api, signed_in)


def test_logout_with_the_access_token_only_publishes_sign_out(api, make_user, sign_in):
    signed_in = sign_in(make_user())
    api.cookies.clear()

    assert api.post(LOGOUT, {}, **signed_in.auth).status_code == 204

    assert parsed(revocations()) == [expected(signed_in.claims["sid"], "sign_out")]
    assert_ended(api, signed_in)


def test_logout_with_nothing_known_publishes_nothing(api):
    assert api.post(LOGOUT, {"refresh_token": "never-issued"}).status_code == 204
    assert revocations() == []


def test_revoking_a_session_from_the_list_publishes_revoked(api, make_user, sign_in):
    user = make_user()
    phone, laptop = sign_in(user), sign_in(user)

    response = api.delete(f"/api/v1/user/me/sessions/{phone.claims['sid']}", **laptop.auth)
    missing = api.delete(f"/api/v1/user/me/sessions/{phone.claims['sid']}", **laptop.auth)

    assert (response.status_code, missing.status_code) == (204, 404)
    assert parsed(revocations()) == [expected(phone.claims["sid"], "revoked")]
    assert_ended(api, phone)
    assert introspect(api, laptop)[0] == 200


def test_someone_elses_session_is_404_and_publishes_nothing(api, make_user, sign_in):
    victim, intruder = sign_in(make_user()), sign_in(make_user())

    response = api.delete(f"/api/v1/user/me/sessions/{victim.claims['sid']}", **intruder.auth)

    assert response.status_code == 404
    assert revocations() == []
    assert introspect(api, victim)[0] == 200


def test_refresh_token_reuse_publishes_refresh_token_reuse_for_the_family(api, make_user, sign_in):
    user = make_user()
    signed_in, other = sign_in(user), sign_in(user)
    rotated = api.post(REFRESH, {"refresh_token": signed_in.refresh_token})
    assert rotated.status_code == 200
    assert revocations() == []

    reused = api.post(REFRESH, {"refresh_token": signed_in.refresh_token})
    reused_again = api.post(REFRESH, {"refresh_token": signed_in.refresh_token})

    assert (reused.status_code, reused_again.status_code) == (401, 401)
    assert parsed(revocations()) == [expected(signed_in.claims["sid"], "refresh_token_reuse")]
    assert_ended(api, signed_in)
    assert introspect(api, other)[0] == 200


def test_password_reset_publishes_one_per_session(api, make_user, sign_in):
    user = make_user()
    sessions = [sign_in(user) for _ in range(3)]
    ended_earlier = sessions[0]
    api.post(LOGOUT, {"refresh_token": ended_earlier.refresh_token})
    OutboxEvent.objects.all().delete()
    token = links.password_reset_token(User.objects.get(pk=user.pk))

    response = api.post("/api/v1/user/auth/password/reset", {"token": token, "new_password": NEW_PASSWORD})

    assert response.status_code == 204
    ids = sorted(signed_in.claims["sid"] for signed_in in sessions[1:])
    assert sorted(parsed(revocations()), key=lambda event: event["session_id"]) == [
        expected(session_id, "password_reset") for session_id in ids
    ]
    for signed_in in sessions:
        assert_ended(api, signed_in)


def test_a_failed_password_reset_publishes_nothing(api, make_user, sign_in):
    user = make_user()
    signed_in = sign_in(user)
    token = links.password_reset_token(User.objects.get(pk=user.pk))

    weak = api.post("/api/v1/user/auth/password/reset", {"token": token, "new_password": "password1"})
    forged = api.post("/api/v1/user/auth/password/reset", {"token": "x.y.z", "new_password": NEW_PASSWORD})

    assert (weak.status_code, forged.status_code) == (400, 400)
    assert revocations() == []
    assert introspect(api, signed_in)[0] == 200


def test_password_change_publishes_one_per_other_session_and_keeps_this_one(api, make_user, sign_in):
    user = make_user()
    current, phone, tablet = sign_in(user), sign_in(user), sign_in(user)

    response = api.post(
        "/api/v1/user/me/password",
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        **current.auth,
    )

    assert response.status_code == 204
    ids = sorted([phone.claims["sid"], tablet.claims["sid"]])
    assert sorted(parsed(revocations()), key=lambda event: event["session_id"]) == [
        expected(session_id, "password_changed") for session_id in ids
    ]
    assert_ended(api, phone)
    assert_ended(api, tablet)
    assert introspect(api, current)[0] == 200


def test_a_refused_password_change_publishes_nothing(api, make_user, sign_in):
    user = make_user()
    current, phone = sign_in(user), sign_in(user)

    response = api.post(
        "/api/v1/user/me/password",
        {"current_password": "Not-The-Password-1", "new_password": NEW_PASSWORD},
        **current.auth,
    )

    assert response.status_code == 400
    assert revocations() == []
    assert introspect(api, phone)[0] == 200


def test_staff_end_every_session_or_one(api, make_user, sign_in):
    user = make_user()
    first, second, third = sign_in(user), sign_in(user), sign_in(user)
    out = StringIO()

    call_command("revoke_sessions", user.username.upper(), "--session", first.claims["sid"], stdout=out)
    call_command("revoke_sessions", user.username, stdout=out)

    assert out.getvalue().splitlines() == [
        f"{user.username}: 1 session ended",
        f"{user.username}: 2 sessions ended",
    ]
    events = parsed(revocations())
    assert events[0] == expected(first.claims["sid"], "staff")
    assert sorted(events[1:], key=lambda event: event["session_id"]) == [
        expected(session_id, "staff") for session_id in sorted([second.claims["sid"], third.claims["sid"]])
    ]
    for signed_in in (first, second, third):
        assert_ended(api, signed_in)


def test_events_are_not_written_when_the_revoking_transaction_rolls_back(make_user, sign_in):
    user = make_user()
    sign_in(user)

    with pytest.raises(RuntimeError), transaction.atomic():
        services.sessions_revoke_by_staff(user_id=user.id)
        raise RuntimeError("rolled back")

    assert revocations() == []
    assert Session.objects.filter(revoked_at__isnull=True).count() == 1
