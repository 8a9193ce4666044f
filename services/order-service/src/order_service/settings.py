"""Settings of order-service: the shared dBay Django settings plus this service's own stores.

Every value comes from the environment (listed in .env.example). Development defaults point at
scripts/devstack; with DBAY_ENV=production a missing secret or URL stops the process at start.
"""

from pathlib import Path

from dbay_common.django.conf import common_settings

globals().update(
    common_settings(
        service="order-service",
        base_dir=Path(__file__).resolve().parent.parent,
        root_urlconf="order_service.urls",
        api_prefix="api/v1/order/",
        installed_apps=["order_service.orders"],
        database_name="order",
        redis_db=5,
    )
)

DBAY_EVENT_HANDLERS = "order_service.orders.events:HANDLERS"
