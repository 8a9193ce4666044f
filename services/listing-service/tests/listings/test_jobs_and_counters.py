"""The periodic jobs (scheduled start, end on time, view-count flush) and the view counter."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
import redis
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from dbay_common.django.outbox.models import OutboxEvent
from listing_service.listings import services, tasks, view_counts
from listing_service.listings.models import Listing

BASE = "/api/v1/listings/"


def _events(detail_type: str) -> list[dict]:
    return [row.payload["detail"]["data"] for row in OutboxEvent.objects.filter(detail_type=detail_type)]


@pytest.mark.django_db
def test_start_due_starts_scheduled_listings_once(make_listing):
    now = timezone.now()
    due = make_listing(scheduled_start_at=now - timedelta(minutes=1), now=now - timedelta(hours=1))
    later = make_listing(scheduled_start_at=now + timedelta(hours=1))

    assert tasks.listings_start_due_task() == 1
    assert tasks.listings_start_due_task() == 0

    due.refresh_from_db()
    later.refresh_from_db()
    assert (due.status, due.version, later.status) == ("active", 3, "scheduled")
    assert [(e["listing_id"], e["status"], e["version"]) for e in _events("listing.updated")] == [
        (str(due.id), "active", 3)
    ]


@pytest.mark.django_db
def test_end_due_ends_fixed_price_listings_past_their_end_once_and_leaves_auctions(make_listing):
    now = timezone.now()
    due = make_listing(format="fixed_price", duration_days=7, now=now - timedelta(days=8))  # ended a day ago
    fixed = make_listing(format="fixed_price", now=now - timedelta(days=400))  # no end time
    running = make_listing(format="fixed_price", duration_days=7)
    auction = make_listing(now=now - timedelta(days=8))  # auction-service closes auctions, not the clock

    assert services.listings_end_due(batch_size=1) == 1
    assert services.listings_end_due() == 0
    assert Listing.objects.get(id=auction.id).status == "active"

    due.refresh_from_db()
    assert (due.status, due.end_reason, due.ends_at, due.version) == (
        "ended",
        "duration_elapsed",
        now - timedelta(days=1),
        3,
    )
    assert Listing.objects.get(id=fixed.id).status == "active"
    assert Listing.objects.get(id=running.id).status == "active"
    ended = _events("listing.ended")
    assert [(e["listing_id"], e["reason"], e["status"]) for e in ended] == [
        (str(due.id), "duration_elapsed", "ended")
    ]


@pytest.mark.django_db(transaction=True)
def test_end_due_skips_a_listing_locked_by_a_seller_edit_and_takes_it_next_run(make_listing):
    due = make_listing(format="fixed_price", duration_days=7, now=timezone.now() - timedelta(days=8))
    locked, release = threading.Event(), threading.Event()

    def hold_the_row() -> None:
        try:
            with transaction.atomic():
                Listing.objects.select_for_update().get(id=due.id)
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_row)
    holder.start()
    assert locked.wait(10)
    try:
        assert services.listings_end_due() == 0  # SKIP LOCKED: no waiting on the seller
    finally:
        release.set()
        holder.join()
    assert services.listings_end_due() == 1
    assert Listing.objects.get(id=due.id).status == "ended"


@pytest.mark.django_db(transaction=True)
def test_two_end_runs_at_once_end_each_listing_once(make_listing):
    due = [
        make_listing(format="fixed_price", duration_days=7, now=timezone.now() - timedelta(days=8))
        for _ in range(6)
    ]
    barrier = threading.Barrier(2)
    results: list[int] = []

    def run() -> None:
        try:
            barrier.wait(5)
            results.append(services.listings_end_due(batch_size=2))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(results) == 6
    assert sorted(e["listing_id"] for e in _events("listing.ended")) == sorted(str(x.id) for x in due)


@pytest.mark.django_db
def test_views_are_counted_in_redis_and_flushed_to_postgres(api, make_listing, seller_id):
    listing = make_listing()
    viewer = uuid.uuid4()
    for _ in range(3):
        assert api.call("GET", f"{BASE}{listing.id}").status_code == 200
    for _ in range(2):
        api.call("GET", f"{BASE}{listing.id}", user=viewer)  # a signed-in viewer counts once
    api.call("GET", f"{BASE}{listing.id}", user=seller_id)  # the seller never counts

    assert Listing.objects.get(id=listing.id).view_count == 0
    assert view_counts.listing_views_pending(listing.id) == 4
    assert api.call("GET", f"{BASE}{listing.id}", user=seller_id).json()["seller_view"]["view_count"] == 4

    assert tasks.view_counts_flush_task() == 1
    assert Listing.objects.get(id=listing.id).view_count == 4
    assert view_counts.listing_views_pending(listing.id) == 0
    assert view_counts.view_counts_flush() == 0
    assert api.call("GET", f"{BASE}{listing.id}", user=seller_id).json()["seller_view"]["view_count"] == 4


@pytest.mark.django_db
def test_a_flush_that_died_is_finished_by_the_next_run(make_listing):
    listing = make_listing()
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.hincrby(f"{settings.LISTING_VIEW_KEY_PREFIX}flushing", str(listing.id), 5)  # left by a crash
    view_counts.listing_view_record(listing_id=listing.id, viewer_id=None)

    assert view_counts.view_counts_flush() == 1  # the leftover batch
    assert view_counts.view_counts_flush() == 1  # then the new view
    assert Listing.objects.get(id=listing.id).view_count == 6
    assert not client.exists(f"{settings.LISTING_VIEW_KEY_PREFIX}flushing")
