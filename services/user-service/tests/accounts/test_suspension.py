"""Staff suspend and reinstate a member: sessions end, sign-in and refresh are refused in plain
words, and ``user.suspended`` / ``user.reinstated`` tell the other services."""

from __future__ import annotations

from datetime import datetime
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from user_service.accounts import services
from user_service.accounts.models import Session, User

pytestmark = pytest.mark.django_db

PASSWORD = "Vivid-Otter-Harbor-42"
LOGIN = "/api/v1/user/auth/login"
REFRESH = "/api/v1/user/auth/refresh"
SESSION = "/api/v1/user/me/session"
SUSPENDED = {
    "type": "permission_error",
    "code": "account_suspended",
    "message": (
        "Your account is suspended, so you cannot sign in. Contact support if you think this is a mistake."
    ),
}


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def test_suspending_ends_every_session_and_refuses_sign_in_until_reinstated(api, make_user, sign_in, outbox):
    user = make_user()
    first, second = sign_in(user), sign_in(user)
    out = StringIO()

    call_command("suspend_user", user.username, "--reason", "  Chargeback   fraud ", stdout=out)

    stored = User.objects.get(pk=user.pk)
    assert (stored.suspension_reason, stored.suspended_at is not None) == ("Chargeback fraud", True)
    assert Session.objects.filter(user=user, revoked_at__isnull=True).count() == 0
    events = [(e["detail-type"], e["data"]) for e in outbox() if e["detail-type"] != "user.registered"]
    assert sorted(
        e["data"]["session_id"] for e in outbox() if e["detail-type"] == "session.revoked"
    ) == sorted([first.claims["sid"], second.claims["sid"]])
    assert events[-1] == (
        "user.suspended",
        {"user_id": str(user.id), "reason": "Chargeback fraud", "suspended_at": _iso(stored.suspended_at)},
    )
    assert api.get(SESSION, **first.auth).status_code == 401
    login = api.post(LOGIN, {"login": user.username, "password": PASSWORD})
    assert (login.status_code, login.json()) == (403, {"error": SUSPENDED})
    wrong = api.post(LOGIN, {"login": user.username, "password": "Not-The-Password-1"})
    assert wrong.status_code == 401  # the password is checked first: a suspension says nothing to guessers

    call_command("reinstate_user", user.username, stdout=out)

    assert out.getvalue().splitlines() == [
        f"{user.username} is suspended (2 sessions ended)",
        f"{user.username} is reinstated (they can sign in again)",
    ]
    reinstated = outbox()[-1]
    assert (reinstated["detail-type"], set(reinstated["data"])) == (
        "user.reinstated",
        {"user_id", "reinstated_at"},
    )
    assert reinstated["data"]["user_id"] == str(user.id)
    assert User.objects.get(pk=user.pk).suspended_at is None
    assert api.post(LOGIN, {"login": user.username, "password": PASSWORD}).status_code == 200


def test_a_session_that_survived_a_suspension_cannot_be_refreshed(api, make_user, sign_in):
    user = make_user()
    signed_in = sign_in(user)
    User.objects.filter(pk=user.pk).update(suspended_at=signed_in.user.created_at)  # a race: no revoke yet

    response = api.post(REFRESH, {"refresh_token": signed_in.refresh_token})

    assert (response.status_code, response.json()) == (403, {"error": SUSPENDED})


def test_suspend_and_reinstate_refuse_what_makes_no_sense(make_user):
    user = make_user()
    with pytest.raises(CommandError, match="Say why the member is suspended"):
        call_command("suspend_user", user.username, "--reason", "   ", stdout=StringIO())
    with pytest.raises(CommandError, match="is not suspended"):
        call_command("reinstate_user", user.username, stdout=StringIO())
    with pytest.raises(CommandError, match="No user named 'nobody_here'"):
        call_command("suspend_user", "nobody_here", "--reason", "x", stdout=StringIO())
    services.user_suspend(username=user.username, reason="spam")
    with pytest.raises(CommandError, match="is already suspended"):
        call_command("suspend_user", user.username, "--reason", "again", stdout=StringIO())


def test_events_rollback_with_the_suspension(make_user, outbox: Any):
    from django.db import transaction

    user = make_user()
    before = len(outbox())
    with pytest.raises(RuntimeError), transaction.atomic():
        services.user_suspend(username=user.username, reason="spam")
        raise RuntimeError("rolled back")
    assert (len(outbox()), User.objects.get(pk=user.pk).suspended_at) == (before, None)


def test_staff_suspend_and_reinstate_through_the_api(api, make_user, sign_in):
    member, staff, other = make_user(), make_user(), make_user()
    User.objects.filter(pk=staff.pk).update(is_staff=True)
    staff_auth = sign_in(staff).auth
    member_session = sign_in(member)
    path = f"/api/v1/user/staff/members/{member.username}"

    refused = api.post(f"{path}/suspend", {"reason": "spam"}, format="json", **sign_in(other).auth)
    suspended = api.post(f"{path}/suspend", {"reason": "Selling   counterfeits"}, format="json", **staff_auth)
    again = api.post(f"{path}/suspend", {"reason": "again"}, format="json", **staff_auth)

    assert refused.status_code == 403
    stored = User.objects.get(pk=member.pk)
    assert (suspended.status_code, suspended.json()) == (
        200,
        {
            "user_id": str(member.id),
            "username": member.username,
            "suspended": True,
            "suspended_at": _iso(stored.suspended_at),
            "reason": "Selling counterfeits",
        },
    )
    assert (again.status_code, again.json()["error"]["code"]) == (409, "already_suspended")
    assert api.get(SESSION, **member_session.auth).status_code == 401

    reinstated = api.post(f"{path}/reinstate", **staff_auth)
    assert (reinstated.status_code, reinstated.json()["suspended"], reinstated.json()["reason"]) == (
        200,
        False,
        "",
    )
    missing = api.post("/api/v1/user/staff/members/nobody_here/reinstate", **staff_auth)
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "user_not_found")
