"""Every periodic job of user-service, in one place; Celery beat reads ``JOBS`` at start.

Tasks are named by string: beat imports this module before Django has loaded the apps, so it may
import neither models nor ``tasks.py`` (which registers the task under the same name).
"""

from dbay_common.schedules import PeriodicJob

#: Deletes ended sessions and old sign-in challenges (``accounts.tasks.purge_auth_records_task``).
AUTH_PURGE_TASK_NAME = "user_service.purge_auth_records"

JOBS = (PeriodicJob(task=AUTH_PURGE_TASK_NAME, every_s=6 * 3600),)
