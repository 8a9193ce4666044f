"""Celery app for wallet-service: `celery -A wallet_service worker --beat`.

The shared factory wires the Django settings, autodiscovers each app's tasks.py and schedules
the outbox relay.
"""

from dbay_common.django.celery import create_celery_app

app = create_celery_app("wallet-service", settings_module="wallet_service.settings")
