"""Settings of user-service: the shared dBay Django settings plus this service's own stores.

Every value comes from the environment (listed in .env.example). Development defaults point at
scripts/devstack; with DBAY_ENV=production a missing secret or URL stops the process at start.
"""

from pathlib import Path

from dbay_common.django.conf import common_settings

globals().update(
    common_settings(
        service="user-service",
        base_dir=Path(__file__).resolve().parent.parent,
        root_urlconf="user_service.urls",
        installed_apps=["user_service.accounts"],
        database_name="user",
        redis_db=4,
    )
)

DBAY_EVENT_HANDLERS = "user_service.accounts.events:HANDLERS"
