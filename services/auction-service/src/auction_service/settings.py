"""Settings of auction-service: the shared ones (dbay_common.django.conf), then its own stores.

Every value comes from the environment (.env.example); production stops at start on a missing one.
"""

from dbay_common.django.conf import common_settings

globals().update(
    common_settings(
        __name__,
        api_prefix="api/v1/auctions/",
        installed_apps=["auction_service.auctions"],
        database_name="auction",
        redis_db=2,
    )
)
