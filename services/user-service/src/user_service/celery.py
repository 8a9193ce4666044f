"""Celery app for user-service: `celery -A user_service worker --beat`.

The shared factory wires the Django settings, autodiscovers each app's tasks.py and registers the
library's periodic jobs (outbox relay, Idempotency-Key purge) and this service's, from
``user_service/schedules.py``.
"""

from dbay_common.django.celery import create_celery_app

app = create_celery_app("user-service", settings_module="user_service.settings")
