"""Celery app for user-service: `celery -A user_service worker --beat`.

The shared factory wires the Django settings, autodiscovers each app's tasks.py and schedules
the outbox relay; this service adds the purge of ended sessions and old sign-in challenges.
"""

from dbay_common.django.celery import create_celery_app

app = create_celery_app("user-service", settings_module="user_service.settings")

# Names, not imports: the tasks module needs Django's apps, which are not loaded yet here.
AUTH_PURGE_TASK_NAME = "user_service.purge_auth_records"
app.add_periodic_task(6 * 3600, app.signature(AUTH_PURGE_TASK_NAME), name=AUTH_PURGE_TASK_NAME)
