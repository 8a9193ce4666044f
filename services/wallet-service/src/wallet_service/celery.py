"""Celery app for wallet-service: `celery -A wallet_service worker --beat` (jobs: ``schedules.py``)."""

from dbay_common.django.celery import create_celery_app

app = create_celery_app("wallet-service", settings_module="wallet_service.settings")
