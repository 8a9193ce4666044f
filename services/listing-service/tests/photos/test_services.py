"""The photo service functions: renditions in the background, retries, and the 12-photo limit under
concurrent uploads (threads against the real database)."""

from __future__ import annotations

import hashlib
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone
from PIL import Image

from dbay_common.errors import ApiError
from listing_service.listings.models import Listing
from listing_service.photos import services, tasks
from listing_service.photos.models import Photo, PhotoState
from listing_service.photos.selectors import photo_summaries, photo_summary, photos_for_listing

from .conftest import image_bytes


def add(listing: Listing, data: bytes | None = None) -> Photo:
    return services.photo_add(
        listing_id=listing.id, seller_id=listing.seller_id, upload=data or image_bytes(2000, 1000)
    ).photo


@pytest.mark.django_db
def test_the_task_makes_thumb_and_display_with_exact_sizes(make_listing, photo_dir: Path, outbox_rows):
    listing = make_listing()
    photo = add(listing)

    assert tasks.photo_renditions_make_task(str(photo.id)) is True

    photo.refresh_from_db()
    assert photo.state == PhotoState.READY
    thumb = Image.open(photo_dir / f"{photo.id}/thumb.jpg")
    display = Image.open(photo_dir / f"{photo.id}/display.jpg")
    assert (thumb.format, thumb.size) == ("JPEG", (320, 160))
    assert (display.format, display.size) == ("JPEG", (1600, 800))
    assert (
        photo.thumb_sha256 == hashlib.sha256((photo_dir / f"{photo.id}/thumb.jpg").read_bytes()).hexdigest()
    )
    last = outbox_rows()[-1]
    assert (last["thumbnail_url"], last["photo_count"], last["version"]) == (
        f"/api/v1/listings/photos/{photo.id}/thumb",
        1,
        3,
    )
    # Running it again (a duplicate delivery) changes nothing.
    assert tasks.photo_renditions_make_task(str(photo.id)) is False
    assert len(outbox_rows()) == 2


@pytest.mark.django_db
def test_selectors_show_processing_photos_without_thumbnails(make_listing):
    listing = make_listing()
    first, second = add(listing), add(listing)
    services.photo_renditions_make(photo_id=second.id)

    assert photo_summary(listing.id) == (f"/api/v1/listings/photos/{second.id}/thumb", 2)
    views = photos_for_listing(listing.id)
    assert [(view.id, view.position, view.state) for view in views] == [
        (first.id, 0, "processing"),
        (second.id, 1, "ready"),
    ]
    assert views[0].urls == {
        "thumb": None,
        "display": None,
        "original": f"/api/v1/listings/photos/{first.id}/original",
    }
    assert views[1].urls["display"] == f"/api/v1/listings/photos/{second.id}/display"
    services.photo_renditions_make(photo_id=first.id)
    other = make_listing()
    assert photo_summaries([listing.id, other.id]) == {
        listing.id: (f"/api/v1/listings/photos/{first.id}/thumb", 2),
        other.id: (None, 0),
    }


@pytest.mark.django_db
def test_a_failing_rendition_is_retried_then_marked_failed(make_listing, photo_dir: Path):
    listing = make_listing()
    photo = add(listing)
    (photo_dir / f"{photo.id}/original.jpg").unlink()  # the blob is gone: every attempt fails

    for attempt in range(1, services.RENDITION_MAX_ATTEMPTS + 1):
        Photo.objects.filter(id=photo.id).update(updated_at=timezone.now() - timedelta(minutes=5))
        assert services.photo_renditions_retry() == 0
        photo.refresh_from_db()
        assert photo.processing_attempts == attempt

    assert photo.state == PhotoState.FAILED


@pytest.mark.django_db
def test_the_retry_job_makes_photos_whose_task_was_lost(make_listing):
    listing = make_listing()
    recent, lost = add(listing), add(listing)
    Photo.objects.filter(id=lost.id).update(updated_at=timezone.now() - timedelta(minutes=5))

    assert tasks.photo_renditions_retry_task() == 1

    states = dict(Photo.objects.values_list("id", "state"))
    assert states == {recent.id: PhotoState.PROCESSING, lost.id: PhotoState.READY}


@pytest.mark.django_db(transaction=True)
def test_concurrent_uploads_never_pass_twelve_photos(make_listing):
    listing = make_listing()
    for _ in range(9):
        add(listing, image_bytes(300, 300))
    data = image_bytes(300, 300)
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def upload_one() -> None:
        try:
            barrier.wait()
            services.photo_add(listing_id=listing.id, seller_id=listing.seller_id, upload=data)
            outcomes.append("added")
        except ApiError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=upload_one) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["added"] * 3 + ["photo_limit_reached"] * 5
    assert list(
        Photo.objects.filter(listing=listing).order_by("position").values_list("position", flat=True)
    ) == list(range(12))


@pytest.mark.django_db
def test_a_refused_upload_leaves_no_file_behind(make_listing, photo_dir: Path):
    listing = make_listing()
    for _ in range(12):
        add(listing, image_bytes(300, 300))
    before = sorted(photo_dir.rglob("*"))

    with pytest.raises(ApiError) as caught:
        add(listing, image_bytes(300, 300))

    assert caught.value.code == "photo_limit_reached"
    assert sorted(photo_dir.rglob("*")) == before


@pytest.mark.django_db
def test_a_photo_deleted_while_its_renditions_are_made_leaves_no_files(
    make_listing, photo_dir: Path, monkeypatch, django_capture_on_commit_callbacks
):
    listing = make_listing()
    photo = add(listing)
    real_make = services.photo_rendition_make

    def make_then_delete(original: bytes, size: str):  # the seller deletes it meanwhile
        if size == "display":
            with django_capture_on_commit_callbacks(execute=True):
                services.photo_delete(listing_id=listing.id, photo_id=photo.id, seller_id=listing.seller_id)
        return real_make(original, size)

    monkeypatch.setattr(services, "photo_rendition_make", make_then_delete)

    assert services.photo_renditions_make(photo_id=photo.id) is False
    assert [path for path in photo_dir.rglob("*") if path.is_file()] == []
