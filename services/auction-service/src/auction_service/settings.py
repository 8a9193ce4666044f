"""Settings of auction-service: the shared dBay Django settings plus this service's own stores.

Every value comes from the environment (listed in .env.example). Development defaults point at
scripts/devstack; with DBAY_ENV=production a missing secret or URL stops the process at start.
"""

from pathlib import Path

from dbay_common.django.conf import common_settings

globals().update(
    common_settings(
        service="auction-service",
        base_dir=Path(__file__).resolve().parent.parent,
        root_urlconf="auction_service.urls",
        api_prefix="api/v1/auctions/",
        installed_apps=["auction_service.auctions"],
        database_name="auction",
        redis_db=2,
    )
)

DBAY_EVENT_HANDLERS = "auction_service.auctions.events:HANDLERS"
