"""The listing API: exact bodies, what each caller sees, refusals in the shared error shape."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.test import override_settings

from dbay_common.django.outbox.models import OutboxEvent
from listing_service.listings import services
from listing_service.listings.events import ListingSnapshotV1
from listing_service.listings.models import Listing, Seller

from .conftest import CATEGORY, DOGE, auction_fields, iso

pytestmark = pytest.mark.django_db

BASE = "/api/v1/listings/"


def body_fields(**overrides: Any) -> dict[str, Any]:
    """auction_fields as JSON (amounts as strings of digits)."""
    fields = auction_fields(**overrides)
    for name in ("start_price_koinu", "reserve_price_koinu", "buy_it_now_koinu", "price_koinu"):
        if fields.get(name) is not None:
            fields[name] = str(fields[name])
    fields["shipping_options"] = [
        {**option, "price_koinu": str(option["price_koinu"])} for option in fields["shipping_options"]
    ]
    return fields


def test_create_publish_and_read_a_listing(api, seller_id):
    Seller.objects.create(user_id=seller_id, username="shibe")
    created = api.call(
        "POST", f"{BASE}drafts", user=seller_id, body=body_fields(reserve_price_koinu=str(150 * DOGE))
    )
    assert created.status_code == 201, created.content
    listing_id = created.json()["listing_id"]

    published = api.call("POST", f"{BASE}{listing_id}/publish", user=seller_id)
    assert published.status_code == 200, published.content

    listing = Listing.objects.get(id=listing_id)
    public = api.call("GET", f"{BASE}{listing_id}").json()
    assert public == {
        "listing_id": listing_id,
        "version": 2,
        "seller_id": str(seller_id),
        "seller_username": "shibe",
        "status": "active",
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
        "has_reserve": True,
        "quantity_available": 1,
        "bid_count": 0,
        "current_price_koinu": str(100 * DOGE),
        "reserve_met": False,
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
        "photos": [],
        "seller_view": None,
    }
    assert "150" not in str(public["seller_view"])  # the reserve is nowhere in what a buyer sees

    own = api.call("GET", f"{BASE}{listing_id}", user=seller_id).json()
    assert own["seller_view"] == {
        "reserve_price_koinu": str(150 * DOGE),
        "quantity": 1,
        "quantity_sold": 0,
        "duration_days": 7,
        "end_time": None,
        "scheduled_start_at": None,
        "watch_count": 0,
        "view_count": 1,  # the anonymous read above (counted in Redis, not flushed yet)
        "end_reason": "",
        "withdrawn_reason": "",
        "withdrawn_at": None,
        "missing_for_publish": [],
    }
    assert {**own, "seller_view": None} == public


def test_a_draft_tells_its_seller_what_is_missing(api, seller_id):
    created = api.call("POST", f"{BASE}drafts", user=seller_id, body={"title": "Lens"})

    assert created.status_code == 201
    assert created.json()["seller_view"]["missing_for_publish"] == [
        "description",
        "category_id",
        "condition",
        "price",
        "duration_days",
        "shipping_options",
        "location",
    ]
    refused = api.call("POST", f"{BASE}{created.json()['listing_id']}/publish", user=seller_id)
    assert refused.status_code == 400
    assert refused.json() == {
        "error": {
            "type": "invalid_request",
            "code": "listing_incomplete",
            "message": "The listing cannot be published yet. It still needs a description, a category, "
            "the item's condition, a price, a duration or an end time, a shipping option or local pickup, "
            "the item's location (country and city or postal code).",
            "param": "description",
        }
    }


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"title": "x" * 81}, "title"),
        ({"start_price_koinu": 1.5}, "start_price_koinu"),
        ({"start_price_koinu": "-5"}, "start_price_koinu"),
        ({"start_price_koinu": "1000000000000000000"}, "start_price_koinu"),
        ({"duration_days": 4}, "duration_days"),
        ({"format": "barter"}, "format"),
        ({"item_specifics": [{"name": "Brand"}]}, "item_specifics"),
        ({"shipping_options": [{"service": "Post", "price_koinu": "1", "ships_to": []}]}, "shipping_options"),
        ({"location": {"country": "USA"}}, "location"),
        ({"end_time": "tomorrow"}, "end_time"),
        ({"quantity": 0}, "quantity"),
        ({"local_pickup": "perhaps"}, "local_pickup"),
    ],
)
def test_malformed_input_is_a_400_naming_the_field_and_writes_nothing(api, seller_id, body, param):
    response = api.call("POST", f"{BASE}drafts", user=seller_id, body=body)

    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["type"] == "invalid_request"
    assert error["param"].split(".")[0].split("[")[0] == param
    assert Listing.objects.count() == 0
    assert OutboxEvent.objects.count() == 0


def test_create_replays_with_the_same_idempotency_key(api, seller_id):
    first = api.call(
        "POST", f"{BASE}drafts", user=seller_id, body={"title": "Once"}, HTTP_IDEMPOTENCY_KEY="k-1"
    )
    again = api.call(
        "POST", f"{BASE}drafts", user=seller_id, body={"title": "Once"}, HTTP_IDEMPOTENCY_KEY="k-1"
    )

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert Listing.objects.count() == 1


def test_patch_edits_and_a_refused_edit_changes_nothing(api, make_listing, seller_id):
    listing = make_listing()
    Listing.objects.filter(id=listing.id).update(bid_count=1)

    refused = api.call(
        "PATCH", f"{BASE}{listing.id}", user=seller_id, body={"buy_it_now_koinu": str(500 * DOGE)}
    )
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "auction_has_bids"

    edited = api.call(
        "PATCH", f"{BASE}{listing.id}", user=seller_id, body={"description": "Now with a strap."}
    )
    assert edited.status_code == 200
    assert (edited.json()["description"], edited.json()["version"], edited.json()["buy_it_now_koinu"]) == (
        "Now with a strap.",
        3,
        None,
    )


def test_withdrawn_listing_shows_the_seller_the_reason(api, make_listing, seller_id):
    listing = make_listing()
    staff = uuid.uuid4()

    taken = api.call(
        "POST", f"{BASE}{listing.id}/withdraw", user=staff, roles=["staff"], body={"reason": "Replica"}
    )
    assert taken.status_code == 200
    assert (taken.json()["status"], taken.json()["seller_view"]) == ("withdrawn", None)

    assert api.call("GET", f"{BASE}{listing.id}").status_code == 404
    own = api.call("GET", f"{BASE}{listing.id}", user=seller_id).json()
    assert (own["status"], own["seller_view"]["withdrawn_reason"]) == ("withdrawn", "Replica")


def test_my_listings_filtered_by_status_and_paged(api, make_listing, seller_id):
    active = [make_listing() for _ in range(3)]
    draft = make_listing(publish=False)
    make_listing(seller=uuid.uuid4())

    everything = api.call("GET", f"{BASE}mine", user=seller_id).json()
    assert [item["listing_id"] for item in everything["data"]] == [str(draft.id)] + [
        str(x.id) for x in reversed(active)
    ]
    assert everything["has_more"] is False
    assert everything["data"][0]["seller_view"]["missing_for_publish"] == []

    drafts = api.call("GET", f"{BASE}mine?status=draft", user=seller_id).json()
    assert [item["listing_id"] for item in drafts["data"]] == [str(draft.id)]

    first = api.call("GET", f"{BASE}mine?status=active&limit=2", user=seller_id).json()
    second = api.call(
        "GET",
        f"{BASE}mine?status=active&limit=2&starting_after={first['data'][-1]['listing_id']}",
        user=seller_id,
    ).json()
    assert [item["listing_id"] for item in first["data"] + second["data"]] == [
        str(x.id) for x in reversed(active)
    ]
    assert (first["has_more"], second["has_more"]) == (True, False)

    bad = api.call("GET", f"{BASE}mine?status=lost", user=seller_id)
    assert (bad.status_code, bad.json()["error"]["param"]) == (400, "status")


def test_a_sellers_public_listings(api, make_listing, seller_id):
    listing = make_listing()
    make_listing(publish=False)
    ended = make_listing()
    services.listing_end_early(listing_id=ended.id, seller_id=seller_id)

    active = api.call("GET", f"{BASE}sellers/{seller_id}").json()
    assert [item["listing_id"] for item in active["data"]] == [str(listing.id)]
    assert "seller_view" not in active["data"][0]
    finished = api.call("GET", f"{BASE}sellers/{seller_id}?status=ended").json()
    assert [item["listing_id"] for item in finished["data"]] == [str(ended.id)]


def test_feed_pages_every_listing_past_draft_by_id(api, make_listing):
    listings = [make_listing() for _ in range(5)]
    make_listing(publish=False)
    expected = sorted(str(listing.id) for listing in listings)

    seen: list[str] = []
    cursor = None
    while True:
        query = "feed?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = api.call("GET", BASE + query).json()
        seen += [item["listing_id"] for item in page["data"]]
        cursor = page["next_cursor"]
        assert page["has_more"] is (cursor is not None)
        if cursor is None:
            break
    assert seen == expected
    first = api.call("GET", f"{BASE}feed").json()["data"][0]
    assert set(first) == set(ListingSnapshotV1.model_fields)

    by_id = api.call("GET", f"{BASE}feed?limit=1&starting_after={expected[3]}").json()
    assert [item["listing_id"] for item in by_id["data"]] == [expected[4]]
    for query in ("feed?limit=0", "feed?limit=501", "feed?cursor=abc", "feed?starting_after=1"):
        response = api.call("GET", BASE + query)
        assert response.status_code == 400, query


def test_watch_unwatch_and_the_watchlist(api, make_listing, seller_id):
    listings = [make_listing() for _ in range(3)]
    buyer = uuid.uuid4()

    for listing in listings:
        assert api.call("PUT", f"{BASE}{listing.id}/watch", user=buyer).json() == {
            "listing_id": str(listing.id),
            "watching": True,
        }
    assert api.call("PUT", f"{BASE}{listings[0].id}/watch", user=buyer).status_code == 200  # idempotent

    page = api.call("GET", f"{BASE}watchlist?limit=2", user=buyer).json()
    assert [item["id"] for item in page["data"]] == [str(listings[2].id), str(listings[1].id)]
    assert page["data"][0]["listing"]["listing_id"] == str(listings[2].id)
    rest = api.call("GET", f"{BASE}watchlist?starting_after={listings[1].id}", user=buyer).json()
    assert [item["id"] for item in rest["data"]] == [str(listings[0].id)]

    own = api.call("GET", f"{BASE}{listings[0].id}", user=seller_id).json()
    assert own["seller_view"]["watch_count"] == 1

    assert api.call("DELETE", f"{BASE}{listings[0].id}/watch", user=buyer).status_code == 204
    assert api.call("DELETE", f"{BASE}{listings[0].id}/watch", user=buyer).status_code == 204
    assert Listing.objects.get(id=listings[0].id).watch_count == 0
    assert (
        api.call("PUT", f"{BASE}{listings[0].id}/watch", user=seller_id).json()["error"]["code"]
        == "own_listing"
    )


def test_categories_and_fees(api):
    tree = api.call("GET", f"{BASE}categories").json()["data"]
    assert len(tree) == 15
    assert tree[0]["id"] == "cameras-photo"
    assert tree[0]["children"][0] == {
        "id": CATEGORY,
        "name": "Digital Cameras",
        "suggested_specifics": ["Brand", "Model", "Megapixels", "Sensor Size", "Mount"],
        "children": [],
    }
    assert all(child["children"] == [] for top in tree for child in top["children"])

    assert api.call("GET", f"{BASE}fees").json() == {
        "final_value_fee_bps": 500,
        "insertion_fee_koinu": "0",
        "summary": "Listing is free. When an item sells, the fee is 5% of the sale price.",
    }
    with override_settings(LISTING_FINAL_VALUE_FEE_BPS=350):
        assert api.call("GET", f"{BASE}fees").json()["final_value_fee_bps"] == 350
