"""Settings of listing-service: the shared ones (dbay_common.django.conf), then its own stores.

Every value comes from the environment (.env.example); production stops at start on a missing one.
"""

from dbay_common.django.conf import common_settings
from dbay_common.settings import dev_url, env_str

globals().update(
    common_settings(
        __name__,
        api_prefix="api/v1/listings/",
        installed_apps=["listing_service.listings"],
        database_name="listing",
        redis_db=1,
    )
)

# The listing read cache. "host:port" of the memcached server.
MEMCACHED_ADDRESS = env_str("MEMCACHED_ADDRESS", dev_default=dev_url("memcached"))
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache",
        "LOCATION": MEMCACHED_ADDRESS,
        "KEY_PREFIX": "listing",
    }
}
