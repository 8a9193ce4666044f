"""GET me, PATCH me/profile, the public seller profile, and the session list."""

from __future__ import annotations

import uuid

import pytest

from dbay_common.django.outbox.models import OutboxEvent
from user_service.accounts.models import Profile, Session, User

pytestmark = pytest.mark.django_db

ME = "/api/v1/user/me"
PROFILE = "/api/v1/user/me/profile"
SESSIONS = "/api/v1/user/me/sessions"


def test_me_returns_the_member(api, make_user, sign_in):
    user = make_user()
    signed_in = sign_in(user)

    response = api.get(ME, **signed_in.auth)

    assert response.status_code == 200
    assert response.json() == {"user": signed_in.body["user"]}


def test_profile_update_changes_only_what_is_sent_and_emits_an_event(api, make_user, sign_in, outbox):
    user = make_user()
    signed_in = sign_in(user)
    OutboxEvent.objects.all().delete()

    response = api.patch(
        PROFILE,
        {"display_name": "Ada L.", "avatar_url": "https://img.example/ada.png", "location": "London"},
        **signed_in.auth,
    )

    assert response.status_code == 200
    assert response.json() == {
        "profile": {
            "display_name": "Ada L.",
            "avatar_url": "https://img.example/ada.png",
            "location": "London",
            "bio": "",
        }
    }
    profile = Profile.objects.get(user=user)
    events = outbox()
    assert events == [
        {
            "source": "dbay.user",
            "detail-type": "user.profile_updated",
            "producer": "user-service",
            "version": 1,
            "data": {
                "user_id": str(user.id),
                "username": user.username,
                "display_name": "Ada L.",
                "avatar_url": "https://img.example/ada.png",
                "location": "London",
                "bio": "",
                "changed_fields": ["display_name", "avatar_url", "location"],
                "updated_at": profile.updated_at.isoformat().replace("+00:00", "Z"),
            },
        }
    ]

    cleared = api.patch(
        PROFILE, {"location": None, "bio": "Collector of calculating engines."}, **signed_in.auth
    )

    assert cleared.json()["profile"] == {
        "display_name": "Ada L.",
        "avatar_url": "https://img.example/ada.png",
        "location": "",
        "bio": "Collector of calculating engines.",
    }
    assert outbox()[-1]["data"]["changed_fields"] == ["location", "bio"]


def test_unchanged_profile_emits_nothing(api, make_user, sign_in, outbox):
    signed_in = sign_in(make_user())
    api.patch(PROFILE, {"display_name": "Same"}, **signed_in.auth)
    OutboxEvent.objects.all().delete()

    response = api.patch(PROFILE, {"display_name": "Same"}, **signed_in.auth)

    assert response.status_code == 200
    assert outbox() == []


@pytest.mark.parametrize(
    ("body", "param", "message"),
    [
        ({"avatar_url": "http://img.example/a.png"}, "avatar_url", "avatar_url: Enter an https:// URL."),
        ({"avatar_url": "javascript:alert(1)"}, "avatar_url", "avatar_url: Enter an https:// URL."),
        (
            {"avatar_url": "https://user:pw@img.example/a.png"},
            "avatar_url",
            "avatar_url: The URL must not contain a user name or password.",
        ),
        ({"avatar_url": "https://img.example/" + "a" * 500}, "avatar_url", None),
        (
            {"display_name": "x" * 51},
            "display_name",
            "display_name: Ensure this field has no more than 50 characters.",
        ),
        (
            {"display_name": "Ada\nLovelace"},
            "display_name",
            "display_name: Control characters are not allowed.",
        ),
        ({"location": "y" * 101}, "location", None),
        ({"bio": "z" * 1001}, "bio", None),
    ],
)
def test_invalid_profile_input_changes_nothing(api, make_user, sign_in, outbox, body, param, message):
    user = make_user()
    signed_in = sign_in(user)
    OutboxEvent.objects.all().delete()

    response = api.patch(PROFILE, body, **signed_in.auth)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["param"] == param
    if message:
        assert error["message"] == message
    profile = Profile.objects.get(user=user)
    assert (profile.display_name, profile.avatar_url, profile.location, profile.bio) == ("", "", "", "")
    assert outbox() == []


def test_profile_update_ignores_account_fields(api, make_user, sign_in):
    user = make_user()
    signed_in = sign_in(user)

    response = api.patch(
        PROFILE,
        {"display_name": "Ok", "username": "admin", "is_staff": True, "roles": ["staff"], "email": "x@y.z"},
        **signed_in.auth,
    )

    assert response.status_code == 200
    fresh = User.objects.get(pk=user.pk)
    assert (fresh.username, fresh.is_staff, fresh.email) == (user.username, False, user.email)


def test_profile_requires_a_token(api):
    response = api.patch(PROFILE, {"display_name": "Anon"})

    assert response.status_code == 401
    assert Profile.objects.count() == 0


def test_seller_profile_is_public_and_case_insensitive(api, make_user, sign_in):
    user = make_user()
    signed_in = sign_in(user)
    api.patch(PROFILE, {"display_name": "Ada", "bio": "Engines"}, **signed_in.auth)

    response = api.get(f"/api/v1/user/sellers/{user.username.upper()}")

    assert response.status_code == 200
    assert response.json() == {
        "id": str(user.id),
        "username": user.username,
        "display_name": "Ada",
        "avatar_url": "",
        "location": "",
        "bio": "Engines",
        "member_since": user.created_at.isoformat().replace("+00:00", "Z"),
        "rating": {"count": 0, "average": None},
        "listing_count": 0,
    }
    assert "email" not in response.content.decode()


def test_unknown_or_disabled_seller_is_404(api, make_user):
    user = make_user()
    User.objects.filter(pk=user.pk).update(is_active=False)

    for name in (user.username, "nobody_here"):
        response = api.get(f"/api/v1/user/sellers/{name}")
        assert response.status_code == 404
        assert response.json()["error"] == {
            "type": "not_found",
            "code": "seller_not_found",
            "message": "No such seller.",
        }


def test_sessions_list_marks_the_current_one(api, make_user, sign_in):
    user = make_user()
    first = sign_in(user, user_agent="phone")
    second = sign_in(user, user_agent="laptop")
    revoked = sign_in(user, user_agent="old")
    Session.objects.filter(pk=revoked.claims["sid"]).update(
        revoked_at=Session.objects.get(pk=revoked.claims["sid"]).created_at, revoke_reason="signed_out"
    )

    response = api.get(SESSIONS, **first.auth)

    assert response.status_code == 200
    body = response.json()
    assert body["has_more"] is False
    assert [(s["user_agent"], s["current"], s["ip_address"]) for s in body["data"]] == [
        ("laptop", False, "127.0.0.1"),
        ("phone", True, "127.0.0.1"),
    ]
    assert {s["id"] for s in body["data"]} == {first.claims["sid"], second.claims["sid"]}
    assert set(body["data"][0]) == {"id", "created_at", "last_used_at", "user_agent", "ip_address", "current"}


def test_sessions_list_pages_with_cursors(api, make_user, sign_in):
    user = make_user()
    sessions = [sign_in(user, user_agent=f"device-{index}") for index in range(3)]

    page = api.get(SESSIONS, {"limit": 2}, **sessions[0].auth).json()
    rest = api.get(
        SESSIONS, {"limit": 2, "starting_after": page["data"][-1]["id"]}, **sessions[0].auth
    ).json()

    assert [s["user_agent"] for s in page["data"]] == ["device-2", "device-1"]
    assert page["has_more"] is True
    assert [s["user_agent"] for s in rest["data"]] == ["device-0"]
    assert rest["has_more"] is False


def test_revoking_a_session_ends_it(api, make_user, sign_in):
    user = make_user()
    this, other = sign_in(user), sign_in(user)

    response = api.delete(f"{SESSIONS}/{other.claims['sid']}", **this.auth)

    assert response.status_code == 204
    assert Session.objects.get(pk=other.claims["sid"]).revoke_reason == "revoked_by_user"
    refresh = api.post("/api/v1/user/auth/refresh", {"refresh_token": other.refresh_token})
    assert (refresh.status_code, refresh.json()["error"]["code"]) == (401, "session_revoked")
    assert [s["id"] for s in api.get(SESSIONS, **this.auth).json()["data"]] == [this.claims["sid"]]


def test_cannot_revoke_someone_elses_session(api, make_user, sign_in):
    mine = sign_in(make_user())
    theirs = sign_in(make_user())

    response = api.delete(f"{SESSIONS}/{theirs.claims['sid']}", **mine.auth)
    unknown = api.delete(f"{SESSIONS}/{uuid.uuid4()}", **mine.auth)

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "session_not_found"
    assert unknown.status_code == 404
    assert Session.objects.get(pk=theirs.claims["sid"]).revoked_at is None
