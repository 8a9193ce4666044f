"""The demo seed (listing_service.demo): believable listings with photos, through the real service
functions, once."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from PIL import Image

from dbay_common.django.outbox.models import OutboxEvent
from listing_service.demo.catalogue import SELLERS, demo_items
from listing_service.demo.seeding import demo_seed
from listing_service.listings.models import Listing, Seller
from listing_service.photos.models import Photo, PhotoState

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, int, int, int]:
    return Listing.objects.count(), Photo.objects.count(), Seller.objects.count(), OutboxEvent.objects.count()


def seed(*arguments: str) -> str:
    out = StringIO()
    # One worker: the listings are made on this test's connection, inside its transaction.
    call_command("seed_demo", "--workers", "1", *arguments, stdout=out)
    return out.getvalue().strip()


def test_seeding_twice_adds_nothing_the_second_time(photo_dir: Path):
    first = seed("--listings", "4")
    after_first = counts()
    second = seed("--listings", "4")

    assert first.startswith("demo data: 4 listings from 6 sellers in ")
    assert second == "demo data: already seeded, nothing added"
    assert counts() == after_first
    assert after_first[0] == 4 and after_first[2] == len(SELLERS)


def test_seeded_listings_are_published_with_ready_photos_and_events(photo_dir: Path):
    demo_seed(listings=6)

    listings = list(Listing.objects.order_by("created_at"))
    items = demo_items()[:6]
    assert [listing.category_id for listing in listings] == [item.category_id for item in items]
    assert all(listing.status in ("active", "scheduled") for listing in listings)
    assert all(listing.seller_id in {seller.user_id for seller in SELLERS} for listing in listings)
    photos = list(Photo.objects.all())
    assert photos and all(photo.state == PhotoState.READY for photo in photos)
    assert {photo.listing_id for photo in photos} == {listing.id for listing in listings}
    thumb = Image.open(photo_dir / f"{photos[0].id}/thumb.jpg")
    assert thumb.size == (320, 240)
    published = OutboxEvent.objects.filter(detail_type="listing.published")
    snapshots = [row.payload["detail"]["data"] for row in published]
    assert len(snapshots) == 6
    assert all(snapshot["photo_count"] >= 1 and snapshot["thumbnail_url"] for snapshot in snapshots)


def test_add_makes_more_and_the_switch_skips(settings, photo_dir: Path):
    seed("--listings", "2")
    settings.DEMO_SEED_ENABLED = False

    assert seed() == "demo data: skipped (DBAY_SEED_DEMO=0)"
    assert seed("--add", "--listings", "3").startswith("demo data: 3 listings")
    assert Listing.objects.count() == 5


@pytest.mark.django_db(transaction=True)
def test_worker_threads_make_the_same_listings_as_one_thread(photo_dir: Path):
    demo_seed(listings=8, workers=3)
    threaded = sorted(Listing.objects.values_list("title", "category_id", "format", "condition"))
    Listing.objects.all().delete()

    demo_seed(listings=8, workers=1)

    assert sorted(Listing.objects.values_list("title", "category_id", "format", "condition")) == threaded
    assert Photo.objects.filter(state=PhotoState.READY).count() == Photo.objects.count() > 8
