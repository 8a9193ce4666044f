"""auction-service's side of an auction: the internal terms API, its events moving the listing, the
ending-soon job, and suspended sellers."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from dbay_common.events.envelope import Event
from listing_service.listings import services, tasks
from listing_service.listings.events import HANDLERS
from listing_service.listings.models import Listing, Seller

from .conftest import DOGE, iso

pytestmark = pytest.mark.django_db
BASE = "/api/v1/listings/"


def _deliver(detail_type: str, source: str = "dbay.auction", **data: Any) -> None:
    HANDLERS[detail_type](Event.new(source=source, detail_type=detail_type, data=data))


def _bid(
    listing: Listing, *, seq: int, amount: int, count: int, reserve_met: bool | None, ends_at: datetime
) -> None:
    _deliver(
        "bid.placed",
        bid_id=str(uuid.uuid4()),
        listing_id=str(listing.id),
        seller_id=str(listing.seller_id),
        bidder_id=str(uuid.uuid4()),
        amount_koinu=str(amount),
        bid_count=count,
        leader_id=str(uuid.uuid4()),
        previous_leader_id=None,
        reserve_met=reserve_met,
        ends_at=ends_at.isoformat(),
        placed_at=timezone.now().isoformat(),
        seq=seq,
    )


def _of_type(outbox: Any, detail_type: str) -> list[dict[str, Any]]:
    return [event["data"] for event in outbox() if event["detail-type"] == detail_type]


# -- the internal terms API -----------------------------------------------------------------------


@pytest.fixture
def internal_settings(settings: Any, jwt_settings: Any) -> None:
    settings.INTERNAL_JWT_AUDIENCE = "dbay-internal"


def test_auction_terms_answer_a_service_token_with_the_hidden_reserve(
    api, make_listing, make_token, internal_settings
):
    listing = make_listing(reserve_price_koinu=150 * DOGE, buy_it_now_koinu=300 * DOGE)
    token = make_token(sub="auction-service", aud="dbay-internal", roles=["service"])

    response = api.client.get(
        f"{BASE}internal/listings/{listing.id}/auction-terms", HTTP_AUTHORIZATION=f"Bearer {token}"
    )

    assert response.status_code == 200
    assert response.json() == {
        "listing_id": str(listing.id),
        "seller_id": str(listing.seller_id),
        "format": "auction",
        "status": "active",
        "start_price_koinu": str(100 * DOGE),
        "reserve_price_koinu": str(150 * DOGE),
        "buy_it_now_koinu": str(300 * DOGE),
        "starts_at": iso(listing.starts_at),
        "ends_at": iso(listing.ends_at),
        "soft_close_minutes": 2,
    }


def test_auction_terms_refuse_users_tokens_without_the_role_and_drafts(
    api, make_listing, make_token, seller_id, internal_settings
):
    listing = make_listing()
    draft = make_listing(publish=False)
    path = f"{BASE}internal/listings/{listing.id}/auction-terms"
    no_role = make_token(sub="auction-service", aud="dbay-internal", roles=["buyer"])
    service = make_token(sub="auction-service", aud="dbay-internal", roles=["service"])

    assert api.client.get(path).status_code == 401
    assert api.call("GET", path, user=seller_id).status_code == 401  # a user's token: wrong audience
    refused = api.client.get(path, HTTP_AUTHORIZATION=f"Bearer {no_role}")
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "permission_denied")
    missing = api.client.get(
        f"{BASE}internal/listings/{draft.id}/auction-terms", HTTP_AUTHORIZATION=f"Bearer {service}"
    )
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "listing_not_found")


# -- auction-service's events ---------------------------------------------------------------------


def test_bids_move_price_count_reserve_and_end_time_once_each_in_seq_order(make_listing, outbox):
    listing = make_listing(reserve_price_koinu=150 * DOGE)
    later = listing.ends_at + timedelta(minutes=2)

    _bid(listing, seq=1, amount=100 * DOGE, count=1, reserve_met=False, ends_at=listing.ends_at)
    _bid(listing, seq=2, amount=160 * DOGE, count=2, reserve_met=True, ends_at=later)
    _bid(listing, seq=2, amount=160 * DOGE, count=2, reserve_met=True, ends_at=later)  # redelivered
    _bid(listing, seq=1, amount=100 * DOGE, count=1, reserve_met=False, ends_at=listing.ends_at)  # late

    stored = Listing.objects.get(id=listing.id)
    assert (
        stored.bid_count,
        stored.current_price_koinu,
        stored.reserve_met,
        stored.ends_at,
        stored.version,
    ) == (
        2,
        160 * DOGE,
        True,
        later,
        4,
    )
    updates = _of_type(outbox, "listing.updated")
    assert [
        (
            u["version"],
            u["bid_count"],
            u["current_price_koinu"],
            u["price_koinu"],
            u["reserve_met"],
            u["ends_at"],
        )
        for u in updates
    ] == [
        (3, 1, str(100 * DOGE), str(100 * DOGE), False, iso(listing.ends_at)),
        (4, 2, str(160 * DOGE), str(100 * DOGE), True, iso(later)),
    ]


def test_an_extension_moves_the_end_only_later(make_listing, outbox):
    listing = make_listing()
    later = listing.ends_at + timedelta(minutes=2)
    common = {"listing_id": str(listing.id), "extended_at": timezone.now().isoformat()}

    _deliver(
        "auction.extended", ends_at=later.isoformat(), previous_ends_at=listing.ends_at.isoformat(), **common
    )
    _deliver("auction.extended", ends_at=listing.ends_at.isoformat(), previous_ends_at="x", **common)

    assert Listing.objects.get(id=listing.id).ends_at == later
    assert [(u["version"], u["ends_at"]) for u in _of_type(outbox, "listing.updated")] == [(3, iso(later))]


def test_closed_sells_the_listing_once_with_the_final_price(make_listing, outbox):
    listing = make_listing()
    _bid(listing, seq=1, amount=100 * DOGE, count=1, reserve_met=None, ends_at=listing.ends_at)
    closed_at = listing.ends_at + timedelta(seconds=1)
    data = {
        "listing_id": str(listing.id),
        "seller_id": str(listing.seller_id),
        "winner_id": str(uuid.uuid4()),
        "price_koinu": str(120 * DOGE),
        "escrow_hold_id": str(uuid.uuid4()),
        "via": "ended",
        "bidder_ids": [],
        "closed_at": closed_at.isoformat(),
    }
    _deliver("auction.closed", **data)
    _deliver("auction.closed", **data)
    # A bid placed before the close but heard after it: its count, not its price, nor its end time.
    _bid(listing, seq=2, amount=110 * DOGE, count=2, reserve_met=None, ends_at=listing.ends_at + timedelta(1))

    stored = Listing.objects.get(id=listing.id)
    assert (
        stored.status,
        stored.end_reason,
        stored.ended_at,
        stored.current_price_koinu,
        stored.ends_at,
        stored.bid_count,
    ) == ("sold", "sold", closed_at, 120 * DOGE, listing.ends_at, 2)
    ended = _of_type(outbox, "listing.ended")
    assert [(e["status"], e["reason"], e["current_price_koinu"]) for e in ended] == [
        ("sold", "sold", str(120 * DOGE))
    ]
    updates = _of_type(outbox, "listing.updated")
    assert [(u["status"], u["bid_count"], u["current_price_koinu"]) for u in updates] == [
        ("active", 1, str(100 * DOGE)),
        ("sold", 2, str(120 * DOGE)),
    ]


def test_buy_it_now_and_unsold_end_the_listing_with_the_reason(make_listing, outbox):
    bought, unsold = make_listing(buy_it_now_koinu=300 * DOGE), make_listing(reserve_price_koinu=500 * DOGE)
    now = timezone.now()
    _deliver(
        "auction.closed",
        listing_id=str(bought.id),
        seller_id=str(bought.seller_id),
        winner_id=str(uuid.uuid4()),
        price_koinu=str(300 * DOGE),
        escrow_hold_id=str(uuid.uuid4()),
        via="buy_it_now",
        bidder_ids=[],
        closed_at=now.isoformat(),
    )
    _deliver(
        "auction.ended_unsold",
        listing_id=str(unsold.id),
        seller_id=str(unsold.seller_id),
        reason="reserve_not_met",
        bidder_ids=[str(uuid.uuid4())],
        ended_at=now.isoformat(),
    )

    assert Listing.objects.get(id=bought.id).ends_at == now  # ended before its time
    ended = {e["listing_id"]: (e["status"], e["reason"]) for e in _of_type(outbox, "listing.ended")}
    assert ended == {str(bought.id): ("sold", "sold"), str(unsold.id): ("ended", "reserve_not_met")}


def test_editing_rules_stay_for_an_auction_with_bids(make_listing, seller_id):
    listing = make_listing()
    _bid(listing, seq=1, amount=100 * DOGE, count=1, reserve_met=None, ends_at=listing.ends_at)
    with pytest.raises(Exception) as refused:
        services.listing_end_early(listing_id=listing.id, seller_id=seller_id)
    assert getattr(refused.value, "code", None) == "auction_has_bids"


# -- ending soon ----------------------------------------------------------------------------------


def test_ending_soon_goes_out_once_per_watched_listing_ending_within_the_hour(make_listing, outbox):
    now = timezone.now()
    day = timedelta(days=1)
    soon = make_listing(duration_days=1, now=now - day + timedelta(minutes=50))
    unwatched = make_listing(format="fixed_price", duration_days=1, now=now - day + timedelta(minutes=40))
    later = make_listing(format="fixed_price", duration_days=1, now=now - day + timedelta(hours=3))
    watchers = [uuid.uuid4(), uuid.uuid4()]
    for user_id in watchers:
        services.listing_watch(listing_id=soon.id, user_id=user_id)
    services.listing_watch(listing_id=later.id, user_id=watchers[0])

    assert tasks.listings_ending_soon_task() == 1
    assert services.listings_ending_soon_publish() == 0
    assert services.listings_ending_soon_publish(now=now + timedelta(hours=2, minutes=30)) == 1

    assert _of_type(outbox, "listing.ending_soon") == [
        {
            "listing_id": str(soon.id),
            "title": soon.title,
            "ends_at": iso(soon.ends_at),
            "watcher_ids": [str(user_id) for user_id in watchers],
        },
        {
            "listing_id": str(later.id),
            "title": later.title,
            "ends_at": iso(later.ends_at),
            "watcher_ids": [str(watchers[0])],
        },
    ]
    assert Listing.objects.get(id=unwatched.id).ending_soon_at is None
    assert Listing.objects.get(id=soon.id).version == soon.version  # nothing public changed


# -- suspended sellers ----------------------------------------------------------------------------


def test_a_suspended_seller_cannot_publish_until_reinstated(api, make_listing, seller_id):
    draft = make_listing(publish=False)
    at = timezone.now()
    _deliver(
        "user.suspended",
        source="dbay.user",
        user_id=str(seller_id),
        reason="fraud",
        suspended_at=at.isoformat(),
    )
    # A reinstatement older than the suspension arrives late: it changes nothing.
    _deliver(
        "user.reinstated",
        source="dbay.user",
        user_id=str(seller_id),
        reinstated_at=(at - timedelta(1)).isoformat(),
    )

    refused = api.call("POST", f"{BASE}{draft.id}/publish", user=seller_id)
    assert (refused.status_code, refused.json()["error"]["code"], refused.json()["error"]["message"]) == (
        403,
        "account_suspended",
        "Your account is suspended, so you cannot publish listings. Contact support to find out more.",
    )
    assert Listing.objects.get(id=draft.id).status == "draft"

    _deliver(
        "user.reinstated",
        source="dbay.user",
        user_id=str(seller_id),
        reinstated_at=(at + timedelta(seconds=1)).isoformat(),
    )
    assert api.call("POST", f"{BASE}{draft.id}/publish", user=seller_id).status_code == 200
    assert Seller.objects.get(user_id=seller_id).is_suspended is False


@pytest.mark.django_db(transaction=True)
def test_bids_applied_by_racing_consumers_in_any_order_end_at_the_newest(make_listing, outbox):
    import random
    import threading

    from django.db import connection

    listing = make_listing()
    seqs = list(range(1, 25))
    random.Random(11).shuffle(seqs)
    chunks = [seqs[i::4] for i in range(4)]
    barrier = threading.Barrier(4)

    def run(chunk: list[int]) -> None:
        try:
            barrier.wait(5)
            for seq in chunk:
                services.auction_bid_apply(
                    listing_id=listing.id,
                    price_koinu=(100 + seq) * DOGE,
                    bid_count=seq,
                    reserve_met=None,
                    ends_at=listing.ends_at,
                    seq=seq,
                )
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(chunk,)) for chunk in chunks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    stored = Listing.objects.get(id=listing.id)
    updates = _of_type(outbox, "listing.updated")
    assert (stored.auction_seq, stored.bid_count, stored.current_price_koinu) == (24, 24, 124 * DOGE)
    assert stored.version == 2 + len(updates)  # one version per applied change, each with its event
    assert [u["version"] for u in updates] == sorted(u["version"] for u in updates)
    counts = [u["bid_count"] for u in updates]
    assert counts == sorted(counts) and counts[-1] == 24  # never backwards
