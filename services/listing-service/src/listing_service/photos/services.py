"""Writes of listing photos: add, import (already processed), delete, reorder, make renditions.

Rules (docs in the service README, "Photos"):

- Only the listing's seller changes its photos, and only while the listing is a draft, scheduled or
  active (never once it ended, sold, or was cancelled or withdrawn).
- At most 12 photos per listing, positions 0..11 without gaps. Every change locks the listing row
  first, so concurrent uploads are counted one after another and cannot pass 12 (and the database
  refuses a 13th position anyway).
- Every change publishes ``listing.updated`` (the snapshot's ``thumbnail_url`` and ``photo_count``)
  with the listing's ``version`` raised, and drops the listing's cached detail after commit.

Image work (decoding, re-encoding) and blob writes happen outside the transaction: the listing row
is locked only for the few queries that decide and record the change.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from dbay_common.django.celery import enqueue_on_commit
from dbay_common.errors import Conflict, InvalidRequest, NotFound, UnprocessableEntity
from dbay_common.request_body import RequestTooLarge
from listing_service.listings.models import Listing, ListingStatus
from listing_service.listings.services import listing_photos_changed
from listing_service.listings.services.common import listing_lock_for_seller
from listing_service.photos.imaging import (
    FILE_EXTENSIONS,
    RENDITION_LONGEST_SIDE_PX,
    EncodedImage,
    photo_original_prepare,
    photo_rendition_make,
)
from listing_service.photos.models import MAX_PHOTOS_PER_LISTING, Photo, PhotoState
from listing_service.photos.selectors import photo_blob_keys
from listing_service.photos.storage import photo_storage

logger = logging.getLogger(__name__)

PHOTO_EDITABLE_STATUSES = frozenset({ListingStatus.DRAFT, ListingStatus.SCHEDULED, ListingStatus.ACTIVE})
#: Failed attempts at making a photo's renditions before it is marked failed.
RENDITION_MAX_ATTEMPTS = 5
_KEY_NAMESPACE = uuid.UUID("6f0c5e5a-4f7e-4a53-9d0b-2f6e1f0a7c31")


@dataclass(frozen=True)
class PhotoAdded:
    photo: Photo
    replayed: bool  # the same upload with the same Idempotency-Key was already added


def photo_too_large() -> RequestTooLarge:
    """413 for a photo file past ``PHOTO_MAX_BYTES``."""
    limit_mib = settings.PHOTO_MAX_BYTES / (1024 * 1024)
    return RequestTooLarge(f"The photo is larger than the limit of {limit_mib:g} MiB.", param="file")


def _original_key(photo_id: uuid.UUID, content_type: str) -> str:
    return f"{photo_id}/original.{FILE_EXTENSIONS[content_type]}"


def photo_id_for_idempotency_key(*, seller_id: uuid.UUID, listing_id: uuid.UUID, key: str) -> uuid.UUID:
    """The id a photo uploaded with this Idempotency-Key gets: a retry finds the photo it made."""
    return uuid.uuid5(_KEY_NAMESPACE, f"{seller_id}/{listing_id}/{key}")


def _listing_locked(*, listing_id: uuid.UUID, seller_id: uuid.UUID) -> Listing:
    """The seller's listing, locked, if its photos may change now (404, 403, 409 otherwise)."""
    listing = listing_lock_for_seller(listing_id=listing_id, seller_id=seller_id)
    if listing.status not in PHOTO_EDITABLE_STATUSES:
        raise Conflict(
            f"This listing is {listing.status}; photos can only be changed while a listing is a draft, "
            "scheduled or active.",
            code="listing_not_editable",
        )
    return listing


def _listing_photos_changed(listing: Listing) -> None:
    """The listing's snapshot changed (thumbnail, count): new version, ``listing.updated``, cache."""
    listing_photos_changed(listing_id=listing.id)


def _replay(photo_id: uuid.UUID, upload_sha256: str) -> Photo | None:
    """The photo an earlier request with the same Idempotency-Key made, if any; 422 when that
    request sent another file."""
    existing = Photo.objects.filter(id=photo_id).first()
    if existing is not None and existing.upload_sha256 != upload_sha256:
        raise UnprocessableEntity(
            "This Idempotency-Key was already used to upload a different file.",
            code="idempotency_key_reused",
            param="Idempotency-Key",
        )
    return existing


def _photo_count_check(listing: Listing) -> int:
    count = Photo.objects.filter(listing_id=listing.id).count()
    if count >= MAX_PHOTOS_PER_LISTING:
        raise Conflict(
            f"A listing can have at most {MAX_PHOTOS_PER_LISTING} photos; delete one to add another.",
            code="photo_limit_reached",
        )
    return count


def photo_add(
    *, listing_id: uuid.UUID, seller_id: uuid.UUID, upload: bytes, idempotency_key: str | None = None
) -> PhotoAdded:
    """Add an uploaded image as the listing's last photo, in state ``processing``.

    The image is checked by its content (JPEG, PNG or WebP; at most ``PHOTO_MAX_BYTES``, 40 million
    pixels, at least 200 px on its short side), turned upright and stripped of all metadata, and
    its original stored; the renditions are queued after commit (``photo_renditions_make``). With an
    ``idempotency_key`` the photo's id derives from it, so a retry of the same file returns the
    photo already made (``replayed``) and a different file is refused (422).

    Locks the listing row (rules in the module docstring). Emits ``listing.updated``.
    """
    if len(upload) > settings.PHOTO_MAX_BYTES:
        raise photo_too_large()
    upload_sha256 = hashlib.sha256(upload).hexdigest()
    photo_id = (
        photo_id_for_idempotency_key(seller_id=seller_id, listing_id=listing_id, key=idempotency_key)
        if idempotency_key
        else uuid.uuid4()
    )
    existing = _replay(photo_id, upload_sha256)
    if existing is not None:
        return PhotoAdded(existing, replayed=True)
    # Fail fast, before the image work, when the answer is already known (checked again under lock).
    with transaction.atomic():
        _photo_count_check(_listing_locked(listing_id=listing_id, seller_id=seller_id))
    original = photo_original_prepare(upload)
    key = _original_key(photo_id, original.content_type)
    storage = photo_storage()
    storage.put(key, original.content, original.content_type)
    try:
        return _photo_insert(
            photo_id=photo_id,
            listing_id=listing_id,
            seller_id=seller_id,
            upload_sha256=upload_sha256,
            original=original,
        )
    except BaseException:
        if not Photo.objects.filter(id=photo_id).exists():
            _blobs_delete([key])
        raise


@transaction.atomic
def _photo_insert(
    *,
    photo_id: uuid.UUID,
    listing_id: uuid.UUID,
    seller_id: uuid.UUID,
    upload_sha256: str,
    original: EncodedImage,
) -> PhotoAdded:
    listing = _listing_locked(listing_id=listing_id, seller_id=seller_id)
    existing = _replay(photo_id, upload_sha256)
    if existing is not None:
        return PhotoAdded(existing, replayed=True)
    position = _photo_count_check(listing)
    now = timezone.now()
    photo = Photo.objects.create(
        id=photo_id,
        listing_id=listing.id,
        position=position,
        state=PhotoState.PROCESSING,
        upload_sha256=upload_sha256,
        original_content_type=original.content_type,
        original_sha256=original.sha256,
        width=original.width,
        height=original.height,
        created_at=now,
        updated_at=now,
    )
    _listing_photos_changed(listing)
    from listing_service.photos.tasks import photo_renditions_make_task

    enqueue_on_commit(photo_renditions_make_task, str(photo.id))
    return PhotoAdded(photo, replayed=False)


@dataclass(frozen=True)
class PreparedPhoto:
    """A photo made ready outside any listing: its stripped original and every rendition."""

    original: EncodedImage
    renditions: dict[str, EncodedImage]


def photo_prepare(upload: bytes) -> PreparedPhoto:
    """Check, strip and render an image once (the checks of :func:`photo_add`), for
    :func:`photos_import` into one or many listings."""
    original = photo_original_prepare(upload)
    renditions = {size: photo_rendition_make(original.content, size) for size in RENDITION_LONGEST_SIDE_PX}
    return PreparedPhoto(original, renditions)


def photos_import(*, listing_id: uuid.UUID, seller_id: uuid.UUID, photos: list[PreparedPhoto]) -> list[Photo]:
    """Add already prepared photos after the listing's last one, ``ready`` at once (the demo seed
    draws each distinct picture once and imports it into many listings). Same rules and lock as
    :func:`photo_add`, all or none of them; emits one ``listing.updated``."""
    storage = photo_storage()
    rows: list[tuple[uuid.UUID, PreparedPhoto]] = []
    keys: list[str] = []
    try:
        for prepared in photos:
            photo_id = uuid.uuid4()
            rows.append((photo_id, prepared))
            keys.append(_original_key(photo_id, prepared.original.content_type))
            storage.put(keys[-1], prepared.original.content, prepared.original.content_type)
            for size, rendition in prepared.renditions.items():
                keys.append(f"{photo_id}/{size}.jpg")
                storage.put(keys[-1], rendition.content, rendition.content_type)
        return _photos_insert_ready(listing_id=listing_id, seller_id=seller_id, rows=rows)
    except BaseException:
        _blobs_delete(keys)
        raise


@transaction.atomic
def _photos_insert_ready(
    *, listing_id: uuid.UUID, seller_id: uuid.UUID, rows: list[tuple[uuid.UUID, PreparedPhoto]]
) -> list[Photo]:
    listing = _listing_locked(listing_id=listing_id, seller_id=seller_id)
    count = Photo.objects.filter(listing_id=listing.id).count()
    if count + len(rows) > MAX_PHOTOS_PER_LISTING:
        raise Conflict(
            f"A listing can have at most {MAX_PHOTOS_PER_LISTING} photos.", code="photo_limit_reached"
        )
    now = timezone.now()
    created = Photo.objects.bulk_create(
        Photo(
            id=photo_id,
            listing_id=listing.id,
            position=count + index,
            state=PhotoState.READY,
            upload_sha256=prepared.original.sha256,
            original_content_type=prepared.original.content_type,
            original_sha256=prepared.original.sha256,
            width=prepared.original.width,
            height=prepared.original.height,
            thumb_sha256=prepared.renditions["thumb"].sha256,
            display_sha256=prepared.renditions["display"].sha256,
            created_at=now,
            updated_at=now,
        )
        for index, (photo_id, prepared) in enumerate(rows)
    )
    if created:
        _listing_photos_changed(listing)
    return created


@transaction.atomic
def photo_delete(*, listing_id: uuid.UUID, photo_id: uuid.UUID, seller_id: uuid.UUID) -> None:
    """Delete one photo; the photos after it move up one place. Its blobs are deleted after commit.

    Locks the listing row (rules in the module docstring). Emits ``listing.updated``.
    """
    listing = _listing_locked(listing_id=listing_id, seller_id=seller_id)
    photo = Photo.objects.filter(id=photo_id, listing_id=listing.id).first()
    if photo is None:
        raise NotFound("This listing has no photo with this id.", code="photo_not_found", param="photo_id")
    keys = photo_blob_keys(photo)
    photo.delete()
    Photo.objects.filter(listing_id=listing.id, position__gt=photo.position).update(
        position=F("position") - 1
    )
    _listing_photos_changed(listing)
    transaction.on_commit(lambda: _blobs_delete(keys))


def _blobs_delete(keys: list[str]) -> None:
    try:
        photo_storage().delete(keys)
    except Exception:
        logger.exception("could not delete photo blobs %s; they stay as orphans", keys)


@transaction.atomic
def photo_reorder(*, listing_id: uuid.UUID, seller_id: uuid.UUID, photo_ids: list[uuid.UUID]) -> None:
    """Put the listing's photos in the order of ``photo_ids``, which must name each of them once.

    Locks the listing row (rules in the module docstring). Emits ``listing.updated`` when the
    order changed.
    """
    listing = _listing_locked(listing_id=listing_id, seller_id=seller_id)
    photos = {photo.id: photo for photo in Photo.objects.filter(listing_id=listing.id)}
    if len(photo_ids) != len(set(photo_ids)) or set(photo_ids) != set(photos):
        raise InvalidRequest(
            f"List each of the listing's {len(photos)} photos exactly once, in the new order.",
            code="photo_order_mismatch",
            param="photo_ids",
        )
    changed = []
    for position, photo_id in enumerate(photo_ids):
        photo = photos[photo_id]
        if photo.position != position:
            photo.position = position
            changed.append(photo)
    if not changed:
        return
    # The unique (listing, position) constraint is checked at commit, so swaps pass.
    Photo.objects.bulk_update(changed, ["position"])
    _listing_photos_changed(listing)


def photo_renditions_make(*, photo_id: uuid.UUID) -> bool:
    """Make a ``processing`` photo's thumb and display from its stored original and mark it
    ``ready``; True when it did. Safe to run twice or concurrently (the state change is one
    conditional UPDATE). A failure counts an attempt; after ``RENDITION_MAX_ATTEMPTS`` the photo is
    ``failed``. Locks the listing row, then the photo, to record the result. Emits
    ``listing.updated`` when the photo became ready.
    """
    photo = Photo.objects.filter(id=photo_id, state=PhotoState.PROCESSING).first()
    if photo is None:
        return False
    storage = photo_storage()
    keys = [f"{photo.id}/{size}.jpg" for size in RENDITION_LONGEST_SIDE_PX]
    try:
        original = storage.get(_original_key(photo.id, photo.original_content_type))
        renditions = {size: photo_rendition_make(original, size) for size in RENDITION_LONGEST_SIDE_PX}
        for key, rendition in zip(keys, renditions.values(), strict=True):
            storage.put(key, rendition.content, rendition.content_type)
    except Exception:
        logger.exception("could not make the renditions of photo %s", photo.id)
        _rendition_attempt_failed(photo)
        return False
    with transaction.atomic():
        listing = Listing.objects.select_for_update().filter(id=photo.listing_id).first()
        updated = Photo.objects.filter(id=photo.id, state=PhotoState.PROCESSING).update(
            state=PhotoState.READY,
            thumb_sha256=renditions["thumb"].sha256,
            display_sha256=renditions["display"].sha256,
            updated_at=timezone.now(),
        )
        if updated and listing is not None:
            _listing_photos_changed(listing)
    if not updated and not Photo.objects.filter(id=photo.id).exists():
        _blobs_delete(keys)  # deleted while we worked: its own cleanup may have run before our writes
    return bool(updated)


def _rendition_attempt_failed(photo: Photo) -> None:
    attempts = photo.processing_attempts + 1
    Photo.objects.filter(id=photo.id, state=PhotoState.PROCESSING).update(
        processing_attempts=attempts,
        state=PhotoState.FAILED if attempts >= RENDITION_MAX_ATTEMPTS else PhotoState.PROCESSING,
        updated_at=timezone.now(),
    )


def photo_renditions_retry(*, older_than_s: int = 60, batch: int = 20) -> int:
    """Make the renditions of photos still processing after ``older_than_s`` (their task was lost:
    broker down at commit, worker crash); return how many became ready. Run by beat."""
    cutoff = timezone.now() - timedelta(seconds=older_than_s)
    stale = Photo.objects.filter(state=PhotoState.PROCESSING, updated_at__lt=cutoff).order_by("updated_at")
    return sum(
        photo_renditions_make(photo_id=photo_id) for photo_id in stale.values_list("id", flat=True)[:batch]
    )
