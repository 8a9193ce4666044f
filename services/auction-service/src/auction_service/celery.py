"""Celery app for auction-service: `celery -A auction_service worker --beat`.

The shared factory wires the Django settings, autodiscovers each app's tasks.py and gives beat the
jobs of `auction_service.schedules` plus the library's (outbox relay, Idempotency-Key purge).
"""

from dbay_common.django.celery import create_celery_app

app = create_celery_app("auction-service", settings_module="auction_service.settings")
