"""Celery app for order-service: `celery -A order_service worker --beat`.

The shared factory wires the Django settings, autodiscovers each app's tasks.py and gives beat the
jobs of `order_service.schedules` plus the library's (outbox relay, Idempotency-Key purge).
"""

from dbay_common.django.celery import create_celery_app

app = create_celery_app("order-service", settings_module="order_service.settings")
