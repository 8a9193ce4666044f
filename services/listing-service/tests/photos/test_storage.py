"""The storage backends: the local folder, and S3 against a real moto server (as in AWS)."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from PIL import Image
from rest_framework.test import APIClient

from listing_service.photos import services
from listing_service.photos.models import Photo
from listing_service.photos.storage import (
    FilesystemPhotoStorage,
    PhotoBlobMissing,
    S3PhotoStorage,
    photo_storage,
    s3_client,
)

from .conftest import image_bytes


@pytest.fixture
def s3_bucket(aws_env: str, settings) -> Iterator[str]:
    """A fresh bucket on the moto server, and the photo settings pointing at it."""
    s3_client.cache_clear()
    name = f"dbay-photos-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3")
    client.create_bucket(Bucket=name)
    settings.PHOTO_STORAGE = "s3"
    settings.PHOTO_S3_BUCKET = name
    settings.PHOTO_S3_PREFIX = "photos/"
    yield name
    for item in client.list_objects_v2(Bucket=name).get("Contents", []):
        client.delete_object(Bucket=name, Key=item["Key"])
    client.delete_bucket(Bucket=name)
    s3_client.cache_clear()


def test_s3_round_trip(s3_bucket: str):
    storage = photo_storage()
    assert isinstance(storage, S3PhotoStorage)
    key = f"{uuid.uuid4()}/thumb.webp"

    storage.put(key, b"webp bytes", "image/webp")

    head = boto3.client("s3").head_object(Bucket=s3_bucket, Key=f"photos/{key}")
    assert (head["ContentType"], head["CacheControl"]) == (
        "image/webp",
        "public, max-age=31536000, immutable",
    )
    assert storage.get(key) == b"webp bytes"
    storage.delete([key])
    with pytest.raises(PhotoBlobMissing):
        storage.get(key)


@pytest.mark.django_db
def test_a_photo_goes_through_s3_from_upload_to_serving(s3_bucket: str, make_listing):
    listing = make_listing()
    photo = services.photo_add(
        listing_id=listing.id, seller_id=listing.seller_id, upload=image_bytes(1000, 500)
    ).photo
    services.photo_renditions_make(photo_id=photo.id)

    response = APIClient().get(f"/api/v1/listings/photos/{photo.id}/display")

    keys = sorted(item["Key"] for item in boto3.client("s3").list_objects_v2(Bucket=s3_bucket)["Contents"])
    assert keys == [f"photos/{photo.id}/{name}" for name in ("display.jpg", "original.jpg", "thumb.jpg")]
    assert response.status_code == 200
    assert Image.open(io.BytesIO(response.content)).size == (1000, 500)
    assert Photo.objects.get().state == "ready"


def test_the_filesystem_backend_refuses_keys_it_did_not_make(tmp_path: Path):
    storage = FilesystemPhotoStorage(tmp_path)

    for key in ("../../etc/passwd", "/etc/passwd", "x/original.jpg", f"{uuid.uuid4()}/../../x.jpg"):
        with pytest.raises(ValueError, match="not a photo blob key"):
            storage.put(key, b"", "image/jpeg")
