"""A listing's photos: at most 12, ordered, each stored as a stripped original plus two renditions.

The limit is the database's as well as the code's: positions run 0..11 and are unique per listing,
so a thirteenth row cannot exist whatever the code does. The uniqueness is checked at commit
(deferred), so a reorder may swap positions inside its transaction.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone

MAX_PHOTOS_PER_LISTING = 12


class PhotoState(models.TextChoices):
    PROCESSING = "processing"  # the stripped original is stored; thumb and display are being made
    READY = "ready"
    FAILED = "failed"  # the renditions could not be made after every retry


class Photo(models.Model):
    """One photo of a listing. Blob keys are ``<id>/original.<ext>``, ``<id>/thumb.jpg``,
    ``<id>/display.jpg``; each ``*_sha256`` is the blob's digest (its ETag); the blobs never change."""

    State = PhotoState

    id: models.UUIDField = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    listing: models.ForeignKey = models.ForeignKey(
        "listings.Listing", on_delete=models.CASCADE, related_name="photos"
    )
    listing_id: uuid.UUID
    position: models.PositiveSmallIntegerField = models.PositiveSmallIntegerField()
    state: models.CharField = models.CharField(
        max_length=12, choices=PhotoState.choices, default=PhotoState.PROCESSING
    )
    # What the seller sent: its digest recognises a retried upload (Idempotency-Key).
    upload_sha256: models.CharField = models.CharField(max_length=64)
    original_content_type: models.CharField = models.CharField(max_length=20)
    original_sha256: models.CharField = models.CharField(max_length=64)
    width: models.PositiveIntegerField = models.PositiveIntegerField()
    height: models.PositiveIntegerField = models.PositiveIntegerField()
    thumb_sha256: models.CharField = models.CharField(max_length=64, blank=True, default="")
    display_sha256: models.CharField = models.CharField(max_length=64, blank=True, default="")
    processing_attempts: models.PositiveSmallIntegerField = models.PositiveSmallIntegerField(default=0)
    created_at: models.DateTimeField = models.DateTimeField(default=timezone.now)
    updated_at: models.DateTimeField = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["listing", "position"],
                name="photo_listing_position_uniq",
                deferrable=models.Deferrable.DEFERRED,
            ),
            models.CheckConstraint(
                condition=Q(position__lt=MAX_PHOTOS_PER_LISTING), name="photo_position_below_limit"
            ),
            models.CheckConstraint(condition=Q(state__in=PhotoState.values), name="photo_state_valid"),
            models.CheckConstraint(
                condition=~Q(state="ready") | (~Q(thumb_sha256="") & ~Q(display_sha256="")),
                name="photo_ready_has_renditions",
            ),
        ]
        indexes = [
            models.Index(fields=["updated_at"], condition=Q(state="processing"), name="photo_processing_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.id} #{self.position} of {self.listing_id}"
