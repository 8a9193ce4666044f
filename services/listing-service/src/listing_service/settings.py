"""Settings of listing-service: the shared dBay Django settings plus this service's own stores.

Every value comes from the environment (listed in .env.example). Development defaults point at
scripts/devstack; with DBAY_ENV=production a missing secret or URL stops the process at start.
"""

from pathlib import Path

from dbay_common.django.conf import common_settings
from dbay_common.settings import dev_url, env_str

globals().update(
    common_settings(
        service="listing-service",
        base_dir=Path(__file__).resolve().parent.parent,
        root_urlconf="listing_service.urls",
        api_prefix="api/v1/listings/",
        installed_apps=["listing_service.listings"],
        database_name="listing",
        redis_db=1,
    )
)

DBAY_EVENT_HANDLERS = "listing_service.listings.events:HANDLERS"

# The listing read cache. "host:port" of the memcached server.
MEMCACHED_ADDRESS = env_str("MEMCACHED_ADDRESS", dev_default=dev_url("memcached"))
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache",
        "LOCATION": MEMCACHED_ADDRESS,
        "KEY_PREFIX": "listing",
    }
}
