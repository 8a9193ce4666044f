"""The rules in ``accounts/policy.py`` hold for every caller of the services, not only the API."""

from __future__ import annotations

import pytest

from dbay_common.django.outbox.models import OutboxEvent
from dbay_common.errors import Conflict, InvalidRequest
from user_service.accounts import services
from user_service.accounts.models import Profile, User

pytestmark = pytest.mark.django_db

PASSWORD = "Vivid-Otter-Harbor-42"


@pytest.mark.parametrize(
    ("changes", "param", "code", "message"),
    [
        (
            {"avatar_url": "http://img.example/a.png"},
            "avatar_url",
            "invalid_field",
            "avatar_url: Enter an https:// URL.",
        ),
        (
            {"avatar_url": "https://user:pw@img.example/a.png"},
            "avatar_url",
            "invalid_field",
            "avatar_url: The URL must not contain a user name or password.",
        ),
        (
            {"display_name": "Ada", "location": "Lon\u200bdon"},
            "location",
            "invalid_field",
            "location: Control characters are not allowed.",
        ),
        ({"bio": "Hi\x07"}, "bio", "invalid_field", "bio: Control characters are not allowed."),
        (
            {"display_name": "x" * 51},
            "display_name",
            "max_length",
            "display_name: Ensure this field has no more than 50 characters.",
        ),
    ],
)
def test_profile_update_refuses_what_the_rules_refuse_and_writes_nothing(
    make_user, changes, param, code, message
):
    user = make_user()
    OutboxEvent.objects.all().delete()

    with pytest.raises(InvalidRequest) as raised:
        services.profile_update(user_id=user.id, changes=changes)

    assert (raised.value.status, raised.value.code, raised.value.param, raised.value.message) == (
        400,
        code,
        param,
        message,
    )
    profile = Profile.objects.get(user=user)
    assert (profile.display_name, profile.avatar_url, profile.location, profile.bio) == ("", "", "", "")
    assert OutboxEvent.objects.count() == 0


def test_profile_update_keeps_newlines_in_the_bio_and_clears_with_none(make_user):
    user = make_user()
    services.profile_update(user_id=user.id, changes={"bio": "Line one\n\tLine two", "location": "Leeds"})

    profile = services.profile_update(user_id=user.id, changes={"location": None})

    assert (profile.bio, profile.location) == ("Line one\n\tLine two", "")


def test_profile_update_rejects_a_field_that_is_not_in_the_profile(make_user):
    user = make_user()

    with pytest.raises(ValueError, match=r"not profile fields: \['email'\]"):
        services.profile_update(user_id=user.id, changes={"email": "x@example.com"})


@pytest.mark.parametrize(
    ("username", "error", "code", "message"),
    [
        ("ab", InvalidRequest, "min_length", "username: Ensure this field has at least 3 characters."),
        (
            "a" * 31,
            InvalidRequest,
            "max_length",
            "username: Ensure this field has no more than 30 characters.",
        ),
        (
            "ada lovelace",
            InvalidRequest,
            "invalid_field",
            "username: Use only letters, digits and underscores.",
        ),
        ("Admin", Conflict, "username_taken", "This username is not available."),
    ],
)
def test_register_refuses_usernames_the_rules_refuse(unique, username, error, code, message):
    with pytest.raises(error) as raised:
        services.user_register(email=f"{unique('u')}@example.com", username=username, password=PASSWORD)

    assert (raised.value.code, raised.value.param, raised.value.message) == (code, "username", message)
    assert User.objects.count() == 0
