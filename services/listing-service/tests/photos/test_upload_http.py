"""Uploads over a real socket (pytest-django's live server): the route's larger body limit works on
a streamed request body, not only through the test client."""

from __future__ import annotations

import io
import os
import uuid
from collections.abc import Callable

import pytest
import requests
from PIL import Image

from listing_service.photos.models import Photo

pytestmark = pytest.mark.django_db(transaction=True)


def noisy_png(side: int) -> bytes:
    buffer = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(buffer, "PNG", compress_level=1)
    return buffer.getvalue()


def test_a_3_mb_photo_uploads_and_an_11_mb_body_is_refused_unread(
    live_server, make_listing, make_token: Callable[..., str]
):
    seller = uuid.uuid4()
    listing = make_listing(seller_id=seller)
    url = f"{live_server.url}/api/v1/listings/{listing.id}/photos"
    headers = {"Authorization": f"Bearer {make_token(sub=str(seller), roles=['seller'])}"}
    photo = noisy_png(1000)
    assert 2_500_000 < len(photo) < 10 * 1024 * 1024

    uploaded = requests.post(
        url,
        files={"file": ("noise.png", photo, "image/png")},
        headers={**headers, "Idempotency-Key": "k1"},
        timeout=60,
    )
    too_large = requests.post(
        url, files={"file": ("big.png", b"\0" * (11 * 1024 * 1024), "image/png")}, headers=headers, timeout=60
    )

    assert uploaded.status_code == 201, uploaded.text
    assert uploaded.json()["width"] == 1000
    assert too_large.status_code == 413
    assert too_large.json()["error"]["code"] == "request_too_large"
    assert Photo.objects.count() == 1
