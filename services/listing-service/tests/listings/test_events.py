"""The consumed events: user.registered and user.profile_updated keep the sellers' names."""

from __future__ import annotations

import uuid

import pytest

from dbay_common.django.outbox.models import OutboxEvent
from dbay_common.events.envelope import Event
from listing_service.listings.events import HANDLERS
from listing_service.listings.models import Seller

pytestmark = pytest.mark.django_db


def _event(detail_type: str, **data: object) -> Event:
    return Event.new(source="dbay.user", detail_type=detail_type, data=data)


def test_registered_then_profile_updated_fill_the_seller_copy(make_listing, seller_id):
    HANDLERS["user.registered"](
        _event(
            "user.registered",
            user_id=str(seller_id),
            username="shibe",
            email="s@example.com",
            roles=["buyer", "seller"],
            registered_at="2026-12-07T12:00:00+00:00",
        )
    )
    assert (
        Seller.objects.get(user_id=seller_id).username,
        Seller.objects.get(user_id=seller_id).display_name,
    ) == (
        "shibe",
        "",
    )
    listing = make_listing()
    assert OutboxEvent.objects.last().payload["detail"]["data"]["seller_username"] == "shibe"
    events_before = OutboxEvent.objects.count()

    profile = {
        "user_id": str(seller_id),
        "username": "shibe",
        "display_name": "Shiba Inu",
        "avatar_url": "",
        "location": "",
        "bio": "",
        "changed_fields": ["display_name"],
        "updated_at": "2026-12-07T12:05:00+00:00",
    }
    HANDLERS["user.profile_updated"](_event("user.profile_updated", **profile))

    assert Seller.objects.get(user_id=seller_id).display_name == "Shiba Inu"
    assert OutboxEvent.objects.count() == events_before  # the username did not change: no listing event
    HANDLERS["user.profile_updated"](_event("user.profile_updated", **{**profile, "username": "shibe2"}))
    last = OutboxEvent.objects.last().payload["detail"]["data"]
    assert (last["listing_id"], last["seller_username"], last["version"]) == (str(listing.id), "shibe2", 3)


def test_a_profile_update_for_an_unknown_member_creates_the_copy():
    user_id = uuid.uuid4()
    HANDLERS["user.profile_updated"](
        _event(
            "user.profile_updated",
            user_id=str(user_id),
            username="late",
            display_name="Late Comer",
            avatar_url="",
            location="",
            bio="",
            changed_fields=["display_name"],
            updated_at="2026-12-07T12:05:00+00:00",
        )
    )

    assert (
        Seller.objects.get(user_id=user_id).username,
        Seller.objects.get(user_id=user_id).display_name,
    ) == (
        "late",
        "Late Comer",
    )


def test_the_category_tree_comes_back_after_a_flush_empties_it():
    from django.apps import apps

    from listing_service.listings.category_tree import category_tree_ensure
    from listing_service.listings.models import Category

    total = Category.objects.count()
    Category.objects.filter(parent__isnull=False).delete()
    Category.objects.all().delete()

    assert category_tree_ensure(apps=apps) == total == 74
    assert category_tree_ensure(apps=apps) == 0
    assert Category.objects.get(id="cameras-photo.lenses").parent_id == "cameras-photo"
