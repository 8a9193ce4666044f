"""Celery app for listing-service: `celery -A listing_service worker --beat`.

The shared factory wires the Django settings, autodiscovers each app's tasks.py and gives beat the
jobs of `listing_service.schedules` plus the library's (outbox relay, Idempotency-Key purge).
"""

from dbay_common.django.celery import create_celery_app

app = create_celery_app("listing-service", settings_module="listing_service.settings")
