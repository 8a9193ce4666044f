"""Celery entry points of the photos app. Each task only parses its arguments and calls a service."""

from __future__ import annotations

import uuid

from celery import shared_task

from listing_service.photos import services

RENDITIONS_MAKE_TASK = "listing_service.photos.renditions_make"
RENDITIONS_RETRY_TASK = "listing_service.photos.renditions_retry"


@shared_task(name=RENDITIONS_MAKE_TASK, ignore_result=True)
def photo_renditions_make_task(photo_id: str) -> bool:
    """Queued after the commit that added a photo (``photo_add``)."""
    return services.photo_renditions_make(photo_id=uuid.UUID(photo_id))


@shared_task(name=RENDITIONS_RETRY_TASK, ignore_result=True)
def photo_renditions_retry_task() -> int:
    """Beat's safety net for photos whose task was lost (see ``listing_service.schedules``)."""
    return services.photo_renditions_retry()
