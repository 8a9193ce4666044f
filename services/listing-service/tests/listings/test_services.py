"""The listing service functions: the rules, every refusal with its code, the exact events."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from dbay_common.django.outbox.models import OutboxEvent
from dbay_common.errors import Conflict, InvalidRequest, NotFound, PermissionDenied
from listing_service.listings import services
from listing_service.listings.models import Listing, Seller

from .conftest import CATEGORY, DOGE, auction_fields, iso

pytestmark = pytest.mark.django_db


def expected_snapshot(listing: Listing, **overrides: Any) -> dict[str, Any]:
    listing.refresh_from_db()
    snapshot = {
        "listing_id": str(listing.id),
        "version": listing.version,
        "seller_id": str(listing.seller_id),
        "seller_username": "",
        "status": listing.status,
        "title": "Canon EOS 5D Mark IV body",
        "description": "Shutter count 12,000. Battery and charger included.",
        "category_id": CATEGORY,
        "category_path": ["cameras-photo", CATEGORY],
        "category_names": ["Cameras & Photo", "Digital Cameras"],
        "condition": "very_good",
        "item_specifics": [{"name": "Brand", "value": "Canon"}, {"name": "Model", "value": "5D Mark IV"}],
        "format": "auction",
        "price_koinu": str(100 * DOGE),
        "buy_it_now_koinu": None,
        "has_reserve": False,
        "quantity_available": 1,
        "bid_count": 0,
        "current_price_koinu": str(100 * DOGE),
        "reserve_met": None,
        "shipping_options": [{"service": "Standard", "price_koinu": str(5 * DOGE), "ships_to": ["US", "CA"]}],
        "local_pickup": False,
        "lowest_shipping_koinu": str(5 * DOGE),
        "location": {"country": "US", "postal_code": "94103", "city": "San Francisco"},
        "thumbnail_url": None,
        "photo_count": 0,
        "starts_at": iso(listing.starts_at),
        "ends_at": iso(listing.ends_at),
        "created_at": iso(listing.created_at),
        "updated_at": iso(listing.updated_at),
        "published_at": iso(listing.published_at),
    }
    snapshot.update(overrides)
    return snapshot


def test_create_draft_saves_the_fields_and_emits_listing_created(seller_id, outbox):
    Seller.objects.create(user_id=seller_id, username="doge_seller")

    listing = services.listing_create_draft(seller_id=seller_id, fields=auction_fields())

    assert (listing.status, listing.version, listing.start_price_koinu) == ("draft", 1, 100 * DOGE)
    assert outbox() == [
        {
            "detail-type": "listing.created",
            "source": "dbay.listing",
            "version": 1,
            "data": expected_snapshot(listing, seller_username="doge_seller", starts_at=None, ends_at=None),
        }
    ]


def test_an_empty_draft_is_allowed(seller_id, outbox):
    listing = services.listing_create_draft(seller_id=seller_id, fields={})

    assert (listing.status, listing.format, listing.title, listing.category_id) == (
        "draft",
        "auction",
        "",
        None,
    )
    data = outbox()[0]["data"]
    assert (data["category_id"], data["category_path"], data["price_koinu"], data["condition"]) == (
        "",
        [],
        None,
        "",
    )


@pytest.mark.parametrize(
    ("fields", "code", "param"),
    [
        ({"title": "x" * 81}, "invalid_field", "title"),
        ({"description": "x" * 5001}, "invalid_field", "description"),
        ({"category_id": "nope"}, "unknown_category", "category_id"),
        ({"category_id": "cameras-photo"}, "category_not_leaf", "category_id"),
        ({"condition": "mint"}, "invalid_field", "condition"),
        ({"start_price_koinu": 0}, "invalid_amount", "start_price_koinu"),
        (
            {"start_price_koinu": 10 * DOGE, "reserve_price_koinu": 5 * DOGE},
            "reserve_below_start_price",
            "reserve_price_koinu",
        ),
        (
            {"start_price_koinu": 10 * DOGE, "buy_it_now_koinu": 5 * DOGE},
            "buy_it_now_below_start_price",
            "buy_it_now_koinu",
        ),
        (
            {"start_price_koinu": 10 * DOGE, "reserve_price_koinu": 20 * DOGE, "buy_it_now_koinu": 15 * DOGE},
            "buy_it_now_below_reserve",
            "buy_it_now_koinu",
        ),
        ({"format": "auction", "price_koinu": DOGE}, "field_not_for_format", "price_koinu"),
        ({"format": "auction", "quantity": 2}, "field_not_for_format", "quantity"),
        ({"format": "fixed_price", "start_price_koinu": DOGE}, "field_not_for_format", "start_price_koinu"),
        ({"duration_days": 2}, "invalid_field", "duration_days"),
        (
            {"duration_days": 3, "end_time": timezone.now() + timedelta(days=2)},
            "duration_and_end_time",
            "end_time",
        ),
        (
            {"item_specifics": [{"name": "Brand", "value": "A"}, {"name": "brand", "value": "B"}]},
            "invalid_field",
            "item_specifics",
        ),
        (
            {"shipping_options": [{"service": "Post", "price_koinu": 1, "ships_to": ["USA"]}]},
            "invalid_field",
            "shipping_options",
        ),
        (
            {"shipping_options": [{"service": "Post", "price_koinu": 1, "ships_to": ["US", "WORLDWIDE"]}]},
            "invalid_field",
            "shipping_options",
        ),
        ({"location": {"country": "Germany"}}, "invalid_field", "location"),
        ({"title": None}, "invalid_field", "title"),
        ({"colour": "red"}, "invalid_field", "colour"),
    ],
)
def test_create_draft_refuses_bad_values_and_writes_nothing(seller_id, fields, code, param):
    with pytest.raises(InvalidRequest) as refusal:
        services.listing_create_draft(seller_id=seller_id, fields=fields)

    assert (refusal.value.code, refusal.value.param) == (code, param)
    assert Listing.objects.count() == 0
    assert OutboxEvent.objects.count() == 0


def test_publish_makes_an_auction_active_for_its_duration(make_listing, seller_id, outbox):
    now = timezone.now()
    draft = make_listing(publish=False)

    listing = services.listing_publish(listing_id=draft.id, seller_id=seller_id, now=now)

    assert (listing.status, listing.version) == ("active", 2)
    assert (listing.starts_at, listing.ends_at, listing.published_at) == (now, now + timedelta(days=7), now)
    assert [event["detail-type"] for event in outbox()] == ["listing.created", "listing.published"]
    assert outbox()[1]["data"] == expected_snapshot(listing)


def test_publish_with_a_scheduled_start_schedules_the_listing(make_listing, seller_id, outbox):
    now = timezone.now()
    start = now + timedelta(days=2)
    draft = make_listing(
        publish=False, scheduled_start_at=start, duration_days=None, end_time=start + timedelta(hours=5)
    )

    listing = services.listing_publish(listing_id=draft.id, seller_id=seller_id, now=now)

    assert (listing.status, listing.starts_at, listing.ends_at) == (
        "scheduled",
        start,
        start + timedelta(hours=5),
    )
    assert outbox()[-1]["data"]["status"] == "scheduled"


def test_fixed_price_without_an_end_has_no_end_time(make_listing):
    listing = make_listing(format="fixed_price")

    assert (listing.status, listing.ends_at, listing.quantity) == ("active", None, 3)


@pytest.mark.parametrize(
    ("overrides", "code", "param"),
    [
        ({"title": ""}, "listing_incomplete", "title"),
        ({"category_id": None}, "listing_incomplete", "category_id"),
        ({"start_price_koinu": None}, "listing_incomplete", "start_price_koinu"),
        ({"duration_days": None}, "listing_incomplete", "duration_days"),
        ({"shipping_options": [], "local_pickup": False}, "listing_incomplete", "shipping_options"),
        ({"location": {"country": "US"}}, "listing_incomplete", "location"),
        (
            {"scheduled_start_at": timezone.now() - timedelta(minutes=1)},
            "scheduled_start_in_past",
            "scheduled_start_at",
        ),
        (
            {"scheduled_start_at": timezone.now() + timedelta(days=31)},
            "scheduled_start_too_far",
            "scheduled_start_at",
        ),
        (
            {"duration_days": None, "end_time": timezone.now() + timedelta(minutes=30)},
            "end_time_too_soon",
            "end_time",
        ),
        (
            {"duration_days": None, "end_time": timezone.now() + timedelta(days=11)},
            "end_time_too_late",
            "end_time",
        ),
    ],
)
def test_publish_refuses_an_incomplete_or_badly_timed_draft(make_listing, seller_id, overrides, code, param):
    draft = make_listing(publish=False, **overrides)
    events_before = OutboxEvent.objects.count()

    with pytest.raises(InvalidRequest) as refusal:
        services.listing_publish(listing_id=draft.id, seller_id=seller_id)

    assert (refusal.value.code, refusal.value.param) == (code, param)
    draft.refresh_from_db()
    assert (draft.status, draft.version) == ("draft", 1)
    assert OutboxEvent.objects.count() == events_before


def test_fixed_price_missing_price_names_price_koinu(make_listing, seller_id):
    draft = make_listing(publish=False, format="fixed_price", price_koinu=None)

    with pytest.raises(InvalidRequest) as refusal:
        services.listing_publish(listing_id=draft.id, seller_id=seller_id)

    assert (refusal.value.code, refusal.value.param) == ("listing_incomplete", "price_koinu")
    assert refusal.value.message == "The listing cannot be published yet. It still needs a price."


def test_publish_twice_is_a_conflict(make_listing, seller_id):
    listing = make_listing()

    with pytest.raises(Conflict) as refusal:
        services.listing_publish(listing_id=listing.id, seller_id=seller_id)

    assert refusal.value.code == "listing_not_draft"


def test_only_the_seller_publishes_and_others_do_not_see_the_draft(make_listing):
    draft = make_listing(publish=False)

    with pytest.raises(NotFound):
        services.listing_publish(listing_id=draft.id, seller_id=uuid.uuid4())


def test_update_changes_fields_bumps_the_version_and_emits_listing_updated(make_listing, seller_id, outbox):
    listing = make_listing()

    updated = services.listing_update(
        listing_id=listing.id,
        seller_id=seller_id,
        changes={"start_price_koinu": 90 * DOGE, "title": "  New  title "},
    )

    assert (updated.version, updated.start_price_koinu, updated.title) == (3, 90 * DOGE, "New title")
    last = outbox()[-1]
    assert last["detail-type"] == "listing.updated"
    assert last["data"] == expected_snapshot(
        updated, title="New title", price_koinu=str(90 * DOGE), current_price_koinu=str(90 * DOGE)
    )


def test_an_update_that_changes_nothing_emits_nothing(make_listing, seller_id):
    listing = make_listing()
    events_before = OutboxEvent.objects.count()

    same = services.listing_update(
        listing_id=listing.id, seller_id=seller_id, changes={"title": listing.title}
    )

    assert same.version == 2
    assert OutboxEvent.objects.count() == events_before


def test_an_auction_with_bids_keeps_its_prices(make_listing, seller_id):
    listing = make_listing()
    Listing.objects.filter(id=listing.id).update(bid_count=2)

    with pytest.raises(Conflict) as refusal:
        services.listing_update(
            listing_id=listing.id, seller_id=seller_id, changes={"start_price_koinu": DOGE}
        )

    assert (refusal.value.code, refusal.value.param) == ("auction_has_bids", "start_price_koinu")
    listing.refresh_from_db()
    assert (listing.start_price_koinu, listing.version) == (100 * DOGE, 2)
    # Other fields may still change.
    services.listing_update(
        listing_id=listing.id, seller_id=seller_id, changes={"description": "More words."}
    )


def test_an_active_listing_keeps_its_format_and_clock(make_listing, seller_id):
    listing = make_listing()

    with pytest.raises(Conflict) as refusal:
        services.listing_update(listing_id=listing.id, seller_id=seller_id, changes={"duration_days": 3})

    assert (refusal.value.code, refusal.value.param) == ("field_locked_after_start", "duration_days")


def test_another_user_cannot_edit(make_listing):
    listing = make_listing()

    with pytest.raises(PermissionDenied) as refusal:
        services.listing_update(listing_id=listing.id, seller_id=uuid.uuid4(), changes={"title": "Mine now"})

    assert refusal.value.code == "not_listing_seller"


def test_switching_a_draft_to_fixed_price_clears_the_auction_prices(make_listing, seller_id):
    draft = make_listing(publish=False, reserve_price_koinu=150 * DOGE)

    updated = services.listing_update(
        listing_id=draft.id, seller_id=seller_id, changes={"format": "fixed_price", "price_koinu": 120 * DOGE}
    )

    assert (updated.format, updated.start_price_koinu, updated.reserve_price_koinu, updated.price_koinu) == (
        "fixed_price",
        None,
        None,
        120 * DOGE,
    )


def test_end_early_ends_an_auction_without_bids(make_listing, seller_id, outbox):
    listing = make_listing()

    ended = services.listing_end_early(listing_id=listing.id, seller_id=seller_id)

    assert (ended.status, ended.end_reason, ended.version) == ("ended", "ended_by_seller", 3)
    last = outbox()[-1]
    assert last["detail-type"] == "listing.ended"
    assert last["data"] == {**expected_snapshot(ended), "reason": "ended_by_seller"}


def test_end_early_is_refused_with_bids_or_when_not_active(make_listing, seller_id):
    listing = make_listing()
    Listing.objects.filter(id=listing.id).update(bid_count=1)
    with pytest.raises(Conflict) as refusal:
        services.listing_end_early(listing_id=listing.id, seller_id=seller_id)
    assert refusal.value.code == "auction_has_bids"

    draft = make_listing(publish=False)
    with pytest.raises(Conflict) as refusal:
        services.listing_end_early(listing_id=draft.id, seller_id=seller_id)
    assert refusal.value.code == "listing_not_active"


def test_cancel_a_draft_or_a_scheduled_listing_but_not_an_active_one(make_listing, seller_id, outbox):
    draft = make_listing(publish=False)
    assert services.listing_cancel(listing_id=draft.id, seller_id=seller_id).status == "cancelled"
    assert outbox()[-1]["detail-type"] == "listing.updated"
    assert outbox()[-1]["data"]["status"] == "cancelled"

    scheduled = make_listing(scheduled_start_at=timezone.now() + timedelta(days=1))
    assert services.listing_cancel(listing_id=scheduled.id, seller_id=seller_id).status == "cancelled"

    active = make_listing()
    with pytest.raises(Conflict) as refusal:
        services.listing_cancel(listing_id=active.id, seller_id=seller_id)
    assert refusal.value.code == "listing_not_cancellable"


def test_staff_withdraw_records_the_reason_and_emits_listing_withdrawn(make_listing, outbox):
    listing = make_listing()
    staff_id = uuid.uuid4()

    withdrawn = services.listing_withdraw(
        listing_id=listing.id, staff_id=staff_id, reason=" Counterfeit  item "
    )

    assert (withdrawn.status, withdrawn.withdrawn_reason, withdrawn.withdrawn_by) == (
        "withdrawn",
        "Counterfeit item",
        staff_id,
    )
    last = outbox()[-1]
    assert last["detail-type"] == "listing.withdrawn"
    assert last["data"] == {
        **expected_snapshot(withdrawn),
        "reason": "Counterfeit item",
        "withdrawn_by": "staff",
    }


def test_withdraw_refusals(make_listing):
    listing = make_listing()
    with pytest.raises(InvalidRequest) as bad:
        services.listing_withdraw(listing_id=listing.id, staff_id=uuid.uuid4(), reason="   ")
    assert (bad.value.code, bad.value.param) == ("invalid_field", "reason")

    services.listing_withdraw(listing_id=listing.id, staff_id=uuid.uuid4(), reason="Fake")
    with pytest.raises(Conflict) as again:
        services.listing_withdraw(listing_id=listing.id, staff_id=uuid.uuid4(), reason="Fake")
    assert again.value.code == "listing_not_withdrawable"

    draft = make_listing(publish=False)
    with pytest.raises(NotFound):
        services.listing_withdraw(listing_id=draft.id, staff_id=uuid.uuid4(), reason="Fake")


def test_fixed_price_quantity_cannot_go_below_what_sold(make_listing, seller_id):
    listing = make_listing(format="fixed_price")
    Listing.objects.filter(id=listing.id).update(quantity_sold=2)

    with pytest.raises(Conflict) as refusal:
        services.listing_update(listing_id=listing.id, seller_id=seller_id, changes={"quantity": 2})

    assert (refusal.value.code, refusal.value.param) == ("quantity_below_sold", "quantity")


def test_seller_rename_republishes_their_listings(make_listing, seller_id, outbox):
    services.seller_upsert(user_id=seller_id, username="old_name", display_name=None)
    listing = make_listing()
    draft = make_listing(publish=False)

    services.seller_upsert(user_id=seller_id, username="new_name", display_name="New Name")

    last = outbox()[-1]
    assert (last["detail-type"], last["data"]["listing_id"], last["data"]["seller_username"]) == (
        "listing.updated",
        str(listing.id),
        "new_name",
    )
    assert Seller.objects.get(user_id=seller_id).display_name == "New Name"
    draft.refresh_from_db()
    assert draft.version == 1


def test_an_ended_listing_cannot_be_edited_and_a_scheduled_one_keeps_a_start(make_listing, seller_id):
    ended = make_listing()
    services.listing_end_early(listing_id=ended.id, seller_id=seller_id)
    with pytest.raises(Conflict) as refusal:
        services.listing_update(listing_id=ended.id, seller_id=seller_id, changes={"title": "Again"})
    assert refusal.value.code == "listing_not_editable"

    start = timezone.now() + timedelta(days=1)
    scheduled = make_listing(scheduled_start_at=start)
    with pytest.raises(InvalidRequest) as cleared:
        services.listing_update(
            listing_id=scheduled.id, seller_id=seller_id, changes={"scheduled_start_at": None}
        )
    assert (cleared.value.code, cleared.value.param) == ("scheduled_start_required", "scheduled_start_at")

    moved = services.listing_update(
        listing_id=scheduled.id,
        seller_id=seller_id,
        changes={"scheduled_start_at": start + timedelta(days=1)},
    )
    assert (moved.starts_at, moved.ends_at) == (start + timedelta(days=1), start + timedelta(days=8))


def test_watch_refusals(make_listing, seller_id):
    buyer = uuid.uuid4()
    draft = make_listing(publish=False)
    with pytest.raises(NotFound):
        services.listing_watch(listing_id=draft.id, user_id=buyer)
    with pytest.raises(NotFound):
        services.listing_unwatch(listing_id=draft.id, user_id=buyer)
    with pytest.raises(NotFound):
        services.listing_watch(listing_id=uuid.uuid4(), user_id=buyer)

    listing = make_listing()
    with pytest.raises(PermissionDenied) as own:
        services.listing_watch(listing_id=listing.id, user_id=seller_id)
    assert own.value.code == "own_listing"

    assert services.listing_watch(listing_id=listing.id, user_id=buyer) is True
    services.listing_end_early(listing_id=listing.id, seller_id=seller_id)
    with pytest.raises(Conflict) as ended:
        services.listing_watch(listing_id=listing.id, user_id=uuid.uuid4())
    assert ended.value.code == "listing_not_watchable"
    assert services.listing_unwatch(listing_id=listing.id, user_id=buyer) is True  # still removable
    assert Listing.objects.get(id=listing.id).watch_count == 0
    assert Listing.objects.get(id=listing.id).version == 3  # counters do not make versions


def test_update_refuses_a_category_that_is_not_a_leaf(make_listing, seller_id):
    draft = make_listing(publish=False)

    with pytest.raises(InvalidRequest) as refusal:
        services.listing_update(
            listing_id=draft.id, seller_id=seller_id, changes={"category_id": "computers"}
        )

    assert (refusal.value.code, refusal.value.param) == ("category_not_leaf", "category_id")
    draft.refresh_from_db()
    assert (draft.category_id, draft.version) == (CATEGORY, 1)


@pytest.mark.parametrize(
    ("changes", "param"),
    [
        ({"title": ""}, "title"),
        ({"category_id": None}, "category_id"),
        ({"condition": ""}, "condition"),
        ({"start_price_koinu": None}, "start_price_koinu"),
        ({"shipping_options": []}, "shipping_options"),
        ({"location": {"country": "", "city": ""}}, "location"),
    ],
)
def test_a_published_listing_stays_complete(make_listing, seller_id, changes, param):
    listing = make_listing()

    with pytest.raises(InvalidRequest) as refusal:
        services.listing_update(listing_id=listing.id, seller_id=seller_id, changes=changes)

    assert (refusal.value.code, refusal.value.param) == ("field_required", param)
    assert Listing.objects.get(id=listing.id).version == 2
