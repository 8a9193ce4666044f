"""Fixtures of the photo tests: real PostgreSQL, photos stored in a temporary folder, signed tokens,
small generated images, and listings made by a small factory (drafts and published ones)."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from dbay_common.django import celery as dbay_celery
from dbay_common.jwt import reset_verifier_cache
from dbay_common.testing.plugin import JwksServer
from listing_service.listings.models import Category, Listing, ListingStatus


@pytest.fixture(autouse=True)
def photo_dir(settings: Any, tmp_path: Path) -> Path:
    """Photos go to a folder of this test, on the filesystem backend."""
    settings.PHOTO_STORAGE = "filesystem"
    settings.PHOTO_STORAGE_DIR = str(tmp_path / "photos")
    return tmp_path / "photos"


@pytest.fixture(autouse=True)
def queued(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, tuple[Any, ...]]]:
    """What was queued after commit, as (task name, arguments), instead of reaching a broker."""
    calls: list[tuple[str, tuple[Any, ...]]] = []
    monkeypatch.setattr(
        dbay_celery, "enqueue_now", lambda task, *args, **kwargs: calls.append((task.name, args))
    )
    return calls


@pytest.fixture
def outbox_rows() -> Callable[[], list[dict[str, Any]]]:
    """The data of every ``listing.updated`` event in the outbox, oldest first."""
    from dbay_common.django.outbox.models import OutboxEvent

    def rows() -> list[dict[str, Any]]:
        events = OutboxEvent.objects.filter(detail_type="listing.updated").order_by("id")
        return [event.payload["detail"]["data"] for event in events]

    return rows


@pytest.fixture(autouse=True)
def _jwt(settings: Any, jwks_server: JwksServer) -> Iterator[None]:
    settings.JWT_JWKS_URL = jwks_server.url
    reset_verifier_cache()
    yield
    reset_verifier_cache()


@pytest.fixture
def client_for(make_token: Callable[..., str]) -> Callable[[uuid.UUID], APIClient]:
    """An API client signed in as the given user."""

    def make(user_id: uuid.UUID) -> APIClient:
        client = APIClient()
        token = make_token(sub=str(user_id), roles=["buyer", "seller"], email_verified=True)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        return client

    return make


def leaf_category() -> Category:
    category = Category.objects.filter(children__isnull=True).order_by("id").first()
    assert category is not None, "the category tree migration has leaves"
    return category


@pytest.fixture
def make_listing() -> Callable[..., Listing]:
    """A listing row of ``seller_id`` in ``status`` (complete, as a listing past draft must be)."""

    def make(*, seller_id: uuid.UUID | None = None, status: str = ListingStatus.ACTIVE) -> Listing:
        now = timezone.now()
        fields: dict[str, Any] = {
            "seller_id": seller_id or uuid.uuid4(),
            "status": status,
            "title": "Pentax K1000 35mm film camera",
            "description": "Works, light meter accurate.",
            "category": leaf_category(),
            "condition": "good",
            "format": "auction",
            "start_price_koinu": 5_000_000_000,
            "duration_days": 7,
            "location_country": "DE",
            "location_city": "Berlin",
        }
        if status != ListingStatus.DRAFT:
            fields |= {"starts_at": now, "ends_at": now + timedelta(days=7), "published_at": now}
        if status in (ListingStatus.ENDED, ListingStatus.SOLD):
            fields |= {"ended_at": now, "end_reason": "duration_elapsed"}
        if status == ListingStatus.WITHDRAWN:
            fields |= {"withdrawn_reason": "Counterfeit item.", "withdrawn_at": now}
        return Listing.objects.create(**fields)

    return make


def image_bytes(
    width: int = 400,
    height: int = 300,
    *,
    fmt: str = "JPEG",
    color: tuple[int, int, int] = (200, 40, 40),
    exif: Image.Exif | None = None,
    mode: str = "RGB",
) -> bytes:
    """An image of one colour with a white square in its top-left quarter (to see orientation)."""
    image = Image.new(mode, (width, height), color if mode == "RGB" else (*color, 128))
    image.paste((255, 255, 255) if mode == "RGB" else (255, 255, 255, 255), (0, 0, width // 4, height // 4))
    buffer = io.BytesIO()
    options: dict[str, Any] = {}
    if exif is not None:
        options["exif"] = exif
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def camera_exif(orientation: int = 1) -> Image.Exif:
    """EXIF as a phone writes it: orientation, camera make and model, and a GPS position."""
    exif = Image.Exif()
    exif[0x0112] = orientation  # Orientation
    exif[0x010F] = "Otterphone"  # Make
    exif[0x0110] = "Otterphone 12 Pro"  # Model
    exif[0x8825] = {1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 36.0)}  # GPSInfo
    return exif


@pytest.fixture
def upload() -> Callable[..., Any]:
    """``upload(client, listing_id, data, name=..., key=...)``: POST one file to the upload route."""

    def send(
        client: APIClient,
        listing_id: uuid.UUID,
        data: bytes,
        *,
        name: str = "photo.jpg",
        content_type: str = "image/jpeg",
        key: str | None = None,
    ) -> Any:
        from django.core.files.uploadedfile import SimpleUploadedFile

        extra = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
        return client.post(
            f"/api/v1/listings/{listing_id}/photos",
            {"file": SimpleUploadedFile(name, data, content_type=content_type)},
            format="multipart",
            **extra,
        )

    return send
