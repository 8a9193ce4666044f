"""Celery entry points for listing-service. Each task only parses its arguments and calls a service."""

from __future__ import annotations

from celery import shared_task

from listing_service.listings import services, view_counts

START_DUE_TASK = "listing_service.listings.start_due"
END_DUE_TASK = "listing_service.listings.end_due"
ENDING_SOON_TASK = "listing_service.listings.ending_soon"
VIEW_COUNTS_FLUSH_TASK = "listing_service.listings.view_counts_flush"


@shared_task(name=START_DUE_TASK, ignore_result=True)
def listings_start_due_task() -> int:
    """Scheduled listings whose start time came become active."""
    return services.listings_start_due()


@shared_task(name=END_DUE_TASK, ignore_result=True)
def listings_end_due_task() -> int:
    """Active fixed-price listings whose end time passed end (reason ``duration_elapsed``)."""
    return services.listings_end_due()


@shared_task(name=ENDING_SOON_TASK, ignore_result=True)
def listings_ending_soon_task() -> int:
    """Watched listings ending within the hour: ``listing.ending_soon`` once each."""
    return services.listings_ending_soon_publish()


@shared_task(name=VIEW_COUNTS_FLUSH_TASK, ignore_result=True)
def view_counts_flush_task() -> int:
    """Views counted in Redis are added to the listings' ``view_count``."""
    return view_counts.view_counts_flush()
