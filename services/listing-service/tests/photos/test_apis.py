"""The photo routes through the real WSGI stack: upload, limits, who may, reorder, delete, serving."""

from __future__ import annotations

import io
import uuid
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from rest_framework.test import APIClient

from dbay_common.django.outbox.models import OutboxEvent
from listing_service.listings.models import Listing, ListingStatus
from listing_service.photos import services
from listing_service.photos.models import Photo, PhotoState

from .conftest import camera_exif, image_bytes

pytestmark = pytest.mark.django_db


def error(response: Any) -> dict[str, Any]:
    assert response["Content-Type"] == "application/json", response.content[:200]
    return response.json()["error"]


def updated_events(listing_id: uuid.UUID) -> list[dict[str, Any]]:
    rows = OutboxEvent.objects.filter(detail_type="listing.updated").order_by("id")
    details = [row.payload["detail"]["data"] for row in rows]
    return [data for data in details if data["listing_id"] == str(listing_id)]


def stored_files(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())


@pytest.fixture
def seller() -> uuid.UUID:
    return uuid.uuid4()


@pytest.fixture
def listing(make_listing, seller) -> Listing:
    return make_listing(seller_id=seller)


@pytest.fixture
def as_seller(client_for, seller) -> APIClient:
    return client_for(seller)


# -- upload ----------------------------------------------------------------------------------------------


def test_upload_stores_a_stripped_original_and_queues_the_renditions(
    as_seller, listing, upload, photo_dir, queued, django_capture_on_commit_callbacks
):
    data = image_bytes(400, 300, exif=camera_exif(6))

    with django_capture_on_commit_callbacks(execute=True):
        response = upload(as_seller, listing.id, data)

    assert response.status_code == 201, response.content
    photo = Photo.objects.get()
    assert response.json() == {
        "id": str(photo.id),
        "position": 0,
        "state": "processing",
        "width": 300,
        "height": 400,
        "urls": {
            "thumb": None,
            "display": None,
            "original": f"/api/v1/listings/photos/{photo.id}/original",
        },
    }
    assert stored_files(photo_dir) == [f"{photo.id}/original.jpg"]
    stored = (photo_dir / f"{photo.id}/original.jpg").read_bytes()
    assert b"Otterphone" not in stored and dict(Image.open(io.BytesIO(stored)).getexif()) == {}
    assert ("listing_service.photos.renditions_make", (str(photo.id),)) in queued
    events = updated_events(listing.id)
    assert [(event["photo_count"], event["thumbnail_url"], event["version"]) for event in events] == [
        (1, None, 2)
    ]


def test_the_type_comes_from_the_content_not_the_name_or_declared_type(as_seller, listing, upload, photo_dir):
    png = image_bytes(300, 300, fmt="PNG")

    response = upload(as_seller, listing.id, png, name="holiday.jpg", content_type="image/jpeg")

    assert response.status_code == 201
    photo = Photo.objects.get()
    assert photo.original_content_type == "image/png"
    assert stored_files(photo_dir) == [f"{photo.id}/original.png"]


def test_a_text_file_named_png_is_refused_and_nothing_is_stored(as_seller, listing, upload, photo_dir):
    response = upload(
        as_seller,
        listing.id,
        b"just some words, not a picture\n" * 20,
        name="cat.png",
        content_type="image/png",
    )

    assert response.status_code == 400
    assert error(response) == {
        "type": "invalid_request",
        "code": "photo_type_unsupported",
        "message": "The file is not a JPEG, PNG or WebP image.",
        "param": "file",
    }
    assert Photo.objects.count() == 0
    assert stored_files(photo_dir) == []
    assert updated_events(listing.id) == []


def test_a_request_over_the_photo_limit_is_refused_with_413_unread(
    settings, as_seller, listing, upload, photo_dir
):
    settings.PHOTO_MAX_BYTES = 1024 * 1024

    response = upload(
        as_seller, listing.id, b"\0" * (2 * 1024 * 1024), name="big.png", content_type="image/png"
    )

    assert response.status_code == 413
    assert error(response) == {
        "type": "invalid_request",
        "code": "request_too_large",
        "message": f"The request body is larger than the limit of {1024 * 1024 + 64 * 1024} bytes.",
    }
    assert Photo.objects.count() == 0 and stored_files(photo_dir) == []


def test_the_file_limit_is_checked_even_when_the_request_fits(settings, as_seller, listing, upload):
    settings.PHOTO_MAX_BYTES = 1024 * 1024

    # The request is 1 MiB + 1 byte + framing, within the route's limit; the file itself is over.
    response = upload(
        as_seller, listing.id, b"\0" * (1024 * 1024 + 1), name="big.png", content_type="image/png"
    )

    assert response.status_code == 413
    assert error(response) == {
        "type": "invalid_request",
        "code": "request_too_large",
        "message": "The photo is larger than the limit of 1 MiB.",
        "param": "file",
    }
    assert Photo.objects.count() == 0


def test_only_the_upload_route_takes_a_body_over_the_shared_limit(settings, as_seller, listing):
    body = b'{"photo_ids": []}' + b" " * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)

    response = as_seller.put(
        f"/api/v1/listings/{listing.id}/photos/order", data=body, content_type="application/json"
    )

    assert response.status_code == 413
    assert error(response)["code"] == "request_too_large"


def test_a_photo_larger_than_the_shared_body_limit_uploads(settings, as_seller, listing, upload):
    noise = Image.effect_noise((800, 800), 100).convert("RGB")
    buffer = io.BytesIO()
    noise.save(buffer, "PNG")
    assert len(buffer.getvalue()) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    response = upload(as_seller, listing.id, buffer.getvalue(), name="noise.png", key="noise-1")

    assert response.status_code == 201, response.content
    assert Photo.objects.get().width == 800


@pytest.mark.parametrize(
    ("width", "height", "code"), [(150, 600, "photo_too_small"), (600, 150, "photo_too_small")]
)
def test_pixel_limits_answer_400(as_seller, listing, upload, width, height, code):
    response = upload(as_seller, listing.id, image_bytes(width, height))

    assert response.status_code == 400
    assert error(response)["code"] == code
    assert Photo.objects.count() == 0


def test_a_missing_file_is_a_400(as_seller, listing):
    response = as_seller.post(f"/api/v1/listings/{listing.id}/photos", {}, format="multipart")

    assert response.status_code == 400
    assert error(response)["param"] == "file"


def test_the_thirteenth_photo_is_refused(as_seller, listing, upload):
    data = image_bytes(300, 300)
    for _ in range(12):
        assert upload(as_seller, listing.id, data).status_code == 201

    response = upload(as_seller, listing.id, data)

    assert response.status_code == 409
    assert error(response)["code"] == "photo_limit_reached"
    assert list(Photo.objects.order_by("position").values_list("position", flat=True)) == list(range(12))


def test_a_retry_with_the_same_key_returns_the_same_photo(as_seller, listing, upload):
    data = image_bytes(300, 300)
    first = upload(as_seller, listing.id, data, key="upload-1")

    again = upload(as_seller, listing.id, data, key="upload-1", name="renamed.jpg")
    other = upload(as_seller, listing.id, image_bytes(300, 300, color=(0, 0, 0)), key="upload-1")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert other.status_code == 422 and error(other)["code"] == "idempotency_key_reused"
    assert Photo.objects.count() == 1


def test_an_idempotency_key_must_be_1_to_255_printable_characters(as_seller, listing, upload):
    for key in ("k" * 256, "tab\there"):
        response = upload(as_seller, listing.id, image_bytes(), key=key)

        assert response.status_code == 400
        assert (error(response)["code"], error(response)["param"]) == (
            "invalid_idempotency_key",
            "Idempotency-Key",
        )
    assert Photo.objects.count() == 0


# -- who may ------------------------------------------------------------------------------------------------


def test_anonymous_callers_get_401(as_seller, listing, upload):
    photo_id = upload(as_seller, listing.id, image_bytes()).json()["id"]
    anonymous = APIClient()

    responses = [
        upload(anonymous, listing.id, image_bytes()),
        anonymous.put(
            f"/api/v1/listings/{listing.id}/photos/order", {"photo_ids": [photo_id]}, format="json"
        ),
        anonymous.delete(f"/api/v1/listings/{listing.id}/photos/{photo_id}"),
    ]

    assert [(response.status_code, error(response)["type"]) for response in responses] == [
        (401, "authentication_error")
    ] * 3
    assert Photo.objects.count() == 1


def test_another_user_gets_403_on_a_published_listing_and_404_on_a_draft(
    client_for, make_listing, seller, upload
):
    stranger = client_for(uuid.uuid4())
    published = make_listing(seller_id=seller)
    draft = make_listing(seller_id=seller, status=ListingStatus.DRAFT)

    forbidden = upload(stranger, published.id, image_bytes())
    hidden = upload(stranger, draft.id, image_bytes())
    missing = upload(stranger, uuid.uuid4(), image_bytes())

    assert (forbidden.status_code, error(forbidden)["code"]) == (403, "not_listing_seller")
    assert (hidden.status_code, error(hidden)["code"]) == (404, "listing_not_found")
    assert (missing.status_code, error(missing)["code"]) == (404, "listing_not_found")
    assert Photo.objects.count() == 0


@pytest.mark.parametrize(
    "status", [ListingStatus.ENDED, ListingStatus.SOLD, ListingStatus.CANCELLED, ListingStatus.WITHDRAWN]
)
def test_photos_of_a_finished_listing_cannot_change(client_for, make_listing, seller, upload, status):
    listing = make_listing(seller_id=seller, status=status)

    response = upload(client_for(seller), listing.id, image_bytes())

    assert response.status_code == 409
    assert error(response)["code"] == "listing_not_editable"
    assert Photo.objects.count() == 0


@pytest.mark.parametrize("status", [ListingStatus.DRAFT, ListingStatus.SCHEDULED, ListingStatus.ACTIVE])
def test_photos_of_drafts_scheduled_and_active_listings_can_change(
    client_for, make_listing, seller, upload, status
):
    listing = make_listing(seller_id=seller, status=status)

    assert upload(client_for(seller), listing.id, image_bytes()).status_code == 201


# -- reorder and delete ---------------------------------------------------------------------------------


def three_photos(client: APIClient, listing: Listing, upload: Any) -> list[str]:
    return [upload(client, listing.id, image_bytes(300, 300)).json()["id"] for _ in range(3)]


def test_reorder_puts_photos_in_the_given_order(as_seller, listing, upload):
    first, second, third = three_photos(as_seller, listing, upload)

    response = as_seller.put(
        f"/api/v1/listings/{listing.id}/photos/order", {"photo_ids": [third, first, second]}, format="json"
    )

    assert response.status_code == 200
    assert [(photo["id"], photo["position"]) for photo in response.json()["data"]] == [
        (third, 0),
        (first, 1),
        (second, 2),
    ]
    assert updated_events(listing.id)[-1]["version"] == 5  # three uploads, one reorder


@pytest.mark.parametrize(
    "pick", [lambda ids: ids[:2], lambda ids: [*ids, ids[0]], lambda ids: [*ids[:2], str(uuid.uuid4())]]
)
def test_reorder_must_name_every_photo_once(as_seller, listing, upload, pick):
    ids = three_photos(as_seller, listing, upload)

    response = as_seller.put(
        f"/api/v1/listings/{listing.id}/photos/order", {"photo_ids": pick(ids)}, format="json"
    )

    assert response.status_code == 400
    assert error(response)["code"] == "photo_order_mismatch"
    assert [str(i) for i in Photo.objects.order_by("position").values_list("id", flat=True)] == ids


def test_delete_closes_the_gap_and_removes_the_files(
    as_seller, listing, upload, photo_dir, django_capture_on_commit_callbacks
):
    first, second, third = three_photos(as_seller, listing, upload)

    with django_capture_on_commit_callbacks(execute=True):
        response = as_seller.delete(f"/api/v1/listings/{listing.id}/photos/{first}")

    assert response.status_code == 200
    assert [(photo["id"], photo["position"]) for photo in response.json()["data"]] == [
        (second, 0),
        (third, 1),
    ]
    assert stored_files(photo_dir) == sorted([f"{second}/original.jpg", f"{third}/original.jpg"])
    assert updated_events(listing.id)[-1]["photo_count"] == 2


def test_only_the_seller_deletes_or_reorders(client_for, as_seller, listing, upload):
    photo_id = three_photos(as_seller, listing, upload)[0]
    stranger = client_for(uuid.uuid4())

    delete = stranger.delete(f"/api/v1/listings/{listing.id}/photos/{photo_id}")
    reorder = stranger.put(f"/api/v1/listings/{listing.id}/photos/order", {"photo_ids": []}, format="json")
    unknown = as_seller.delete(f"/api/v1/listings/{listing.id}/photos/{uuid.uuid4()}")

    assert (delete.status_code, reorder.status_code) == (403, 403)
    assert (unknown.status_code, error(unknown)["code"]) == (404, "photo_not_found")
    assert Photo.objects.count() == 3


# -- serving ----------------------------------------------------------------------------------------------


def test_files_are_served_with_immutable_cache_headers_and_etags(as_seller, listing, upload):
    photo_id = upload(as_seller, listing.id, image_bytes(2000, 1000)).json()["id"]
    processing = APIClient().get(f"/api/v1/listings/photos/{photo_id}/thumb")
    services.photo_renditions_make(photo_id=uuid.UUID(photo_id))
    photo = Photo.objects.get()

    anonymous = APIClient()
    thumb = anonymous.get(
        f"/api/v1/listings/photos/{photo_id}/thumb", HTTP_ACCEPT="image/avif,image/webp,*/*"
    )
    original = anonymous.get(f"/api/v1/listings/photos/{photo_id}/original")
    again = anonymous.get(
        f"/api/v1/listings/photos/{photo_id}/thumb", HTTP_IF_NONE_MATCH=f'"{photo.thumb_sha256}"'
    )

    assert processing.status_code == 404 and error(processing)["code"] == "photo_not_found"
    assert thumb.status_code == 200
    assert thumb["Content-Type"] == "image/jpeg"
    assert thumb["Cache-Control"] == "public, max-age=31536000, immutable"
    assert thumb["ETag"] == f'"{photo.thumb_sha256}"'
    assert Image.open(io.BytesIO(thumb.content)).size == (320, 160)
    assert original["Content-Type"] == "image/jpeg" and original["ETag"] == f'"{photo.original_sha256}"'
    assert again.status_code == 304 and again.content == b""
    assert photo.state == PhotoState.READY


def test_unknown_photos_and_sizes_are_404(as_seller, listing, upload):
    photo_id = upload(as_seller, listing.id, image_bytes()).json()["id"]

    unknown_size = APIClient().get(f"/api/v1/listings/photos/{photo_id}/huge")
    unknown_photo = APIClient().get(f"/api/v1/listings/photos/{uuid.uuid4()}/original")

    assert (unknown_size.status_code, error(unknown_size)["code"]) == (404, "photo_size_unknown")
    assert (unknown_photo.status_code, error(unknown_photo)["code"]) == (404, "photo_not_found")


def test_a_photo_store_that_cannot_write_or_read_answers_503(settings, tmp_path, as_seller, listing, upload):
    photo_id = upload(as_seller, listing.id, image_bytes()).json()["id"]
    not_a_folder = tmp_path / "not-a-folder"
    not_a_folder.write_bytes(b"")
    settings.PHOTO_STORAGE_DIR = str(not_a_folder)

    refused = upload(as_seller, listing.id, image_bytes())
    unreadable = APIClient().get(f"/api/v1/listings/photos/{photo_id}/original")

    for response in (refused, unreadable):
        assert response.status_code == 503
        assert response["Retry-After"] == "5"
        assert (
            error(response)["message"]
            == "Photos cannot be stored or read right now; try again in a few seconds."
        )
    assert Photo.objects.count() == 1
