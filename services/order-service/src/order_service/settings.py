"""Settings of order-service: the shared ones (dbay_common.django.conf), then its own stores.

Every value comes from the environment (.env.example); production stops at start on a missing one.
"""

from dbay_common.django.conf import common_settings

globals().update(
    common_settings(
        __name__,
        api_prefix="api/v1/order/",
        installed_apps=["order_service.orders"],
        database_name="order",
        redis_db=5,
    )
)
