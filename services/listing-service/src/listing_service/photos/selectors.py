"""Reads of listing photos, for listing detail, the snapshot events carry, and serving the bytes.

Photo URLs are paths through the gateway, ``/api/v1/listings/photos/<photo_id>/<size>`` with size
``thumb`` (longest side 320 px), ``display`` (1600 px) or ``original`` (the upload as stored: EXIF
orientation applied, every piece of metadata removed). Until a photo is ``ready`` its thumb and
display are being made and their URLs are ``None``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Min, Q

from listing_service.photos.imaging import FILE_EXTENSIONS, RENDITION_CONTENT_TYPE
from listing_service.photos.models import Photo, PhotoState

SIZES = ("thumb", "display", "original")


def photo_url(photo_id: uuid.UUID | str, size: str) -> str:
    """The path a browser loads a photo's ``size`` from, through the gateway."""
    return f"/{settings.DBAY_API_PREFIX}photos/{photo_id}/{size}"


@dataclass(frozen=True)
class PhotoView:
    """A photo as the API shows it."""

    id: uuid.UUID
    position: int
    state: str
    width: int
    height: int
    urls: dict[str, str | None]  # thumb, display, original

    @classmethod
    def of(cls, photo: Photo) -> PhotoView:
        ready = photo.state == PhotoState.READY
        return cls(
            id=photo.id,
            position=photo.position,
            state=photo.state,
            width=photo.width,
            height=photo.height,
            urls={
                "thumb": photo_url(photo.id, "thumb") if ready else None,
                "display": photo_url(photo.id, "display") if ready else None,
                "original": photo_url(photo.id, "original"),
            },
        )


def photos_for_listing(listing_id: uuid.UUID | str) -> list[PhotoView]:
    """The listing's photos in display order (position 0 first), every state included."""
    photos = Photo.objects.filter(listing_id=listing_id).order_by("position")
    return [PhotoView.of(photo) for photo in photos]


def photo_summaries(listing_ids: Iterable[uuid.UUID | str]) -> dict[uuid.UUID, tuple[str | None, int]]:
    """:func:`photo_summary` of many listings in two queries (for feeds and lists); a listing
    without photos maps to ``(None, 0)``."""
    ids = [uuid.UUID(str(listing_id)) for listing_id in listing_ids]
    summaries: dict[uuid.UUID, tuple[str | None, int]] = dict.fromkeys(ids, (None, 0))
    if not ids:
        return summaries
    rows = (
        Photo.objects.filter(listing_id__in=ids)
        .values("listing_id")
        .annotate(count=Count("id"), first_ready=Min("position", filter=Q(state=PhotoState.READY)))
    )
    firsts: list[Q] = []
    counts: dict[uuid.UUID, int] = {}
    for row in rows:
        counts[row["listing_id"]] = row["count"]
        summaries[row["listing_id"]] = (None, row["count"])
        if row["first_ready"] is not None:
            firsts.append(Q(listing_id=row["listing_id"], position=row["first_ready"]))
    if firsts:
        query = firsts[0]
        for condition in firsts[1:]:
            query |= condition
        for listing_id, photo_id in Photo.objects.filter(query).values_list("listing_id", "id"):
            summaries[listing_id] = (photo_url(photo_id, "thumb"), counts[listing_id])
    return summaries


def photo_summary(listing_id: uuid.UUID | str) -> tuple[str | None, int]:
    """``(thumbnail path, photo count)`` for a listing's snapshot (``thumbnail_url``, ``photo_count``).

    The thumbnail is the first photo's in display order among those ready (a photo still being
    processed has no thumbnail yet); the count includes every photo.
    """
    listing_uuid = uuid.UUID(str(listing_id))
    return photo_summaries([listing_uuid])[listing_uuid]


@dataclass(frozen=True)
class PhotoBlob:
    """Where one size of a photo is stored, and what to send with it."""

    key: str
    content_type: str
    etag: str


def photo_blob(photo_id: uuid.UUID, size: str) -> PhotoBlob | None:
    """The stored blob of ``size`` for a photo, or None when there is none (unknown photo, or its
    renditions are not made yet)."""
    photo = Photo.objects.filter(id=photo_id).first()
    if photo is None:
        return None
    if size == "original":
        extension = FILE_EXTENSIONS[photo.original_content_type]
        return PhotoBlob(
            f"{photo.id}/original.{extension}", photo.original_content_type, photo.original_sha256
        )
    if photo.state != PhotoState.READY:
        return None
    digest = photo.thumb_sha256 if size == "thumb" else photo.display_sha256
    return PhotoBlob(f"{photo.id}/{size}.jpg", RENDITION_CONTENT_TYPE, digest)


def photo_blob_keys(photo: Photo) -> list[str]:
    """Every key a photo may have written (for deleting it)."""
    extension = FILE_EXTENSIONS[photo.original_content_type]
    return [f"{photo.id}/original.{extension}", f"{photo.id}/thumb.jpg", f"{photo.id}/display.jpg"]
