"""Settings of listing-service: the shared ones (dbay_common.django.conf), then its own stores.

Every value comes from the environment (.env.example); production stops at start on a missing one.
"""

from pathlib import Path

from dbay_common.django.conf import common_settings
from dbay_common.settings import InvalidSetting, dev_url, env_bool, env_int, env_str

globals().update(
    common_settings(
        __name__,
        api_prefix="api/v1/listings/",
        installed_apps=["listing_service.listings", "listing_service.photos", "listing_service.demo"],
        database_name="listing",
        redis_db=1,
    )
)

# The listing read cache. "host:port" of the memcached server.
MEMCACHED_ADDRESS = env_str("MEMCACHED_ADDRESS", dev_default=dev_url("memcached"))
CACHES = {
    "default": {
        "BACKEND": "listing_service.cache_backend.PersistentPyMemcacheCache",
        "LOCATION": MEMCACHED_ADDRESS,
        "KEY_PREFIX": "listing",
    }
}

# ---- listings (listing_service.listings) ---------------------------------------------------------
# How long a listing's detail and the category tree stay in the read cache (an edit deletes the
# listing's entry at once; this bounds anything else).
LISTING_CACHE_TTL_S = env_int("LISTING_CACHE_TTL_S", default=300)
# The platform fee policy shown to sellers (GET fees): the final value fee in basis points of the
# sale price (500 = 5 %) and the fee to list (0: listing is free).
LISTING_FINAL_VALUE_FEE_BPS = env_int("LISTING_FINAL_VALUE_FEE_BPS", default=500)
LISTING_INSERTION_FEE_KOINU = env_int("LISTING_INSERTION_FEE_KOINU", default=0)
# View counts: Redis key prefix (in REDIS_URL's db), and how long a signed-in viewer counts once.
LISTING_VIEW_KEY_PREFIX = env_str("LISTING_VIEW_KEY_PREFIX", default="listing:views:")
LISTING_VIEW_DEDUPE_S = env_int("LISTING_VIEW_DEDUPE_S", default=1800)

# ---- listing photos (listing_service.photos) ----------------------------------------------------
# Where photo bytes are kept: "filesystem" (a folder, the default) or "s3" (a bucket; AWS).
PHOTO_STORAGE = env_str("PHOTO_STORAGE", default="filesystem")
if PHOTO_STORAGE not in ("filesystem", "s3"):
    raise InvalidSetting(
        f"environment variable PHOTO_STORAGE must be filesystem or s3, not {PHOTO_STORAGE!r}"
    )
_DEVSTACK_DATA = env_str("DBAY_DATA_DIR", default=str(Path(__file__).resolve().parents[4] / ".devstack"))
PHOTO_STORAGE_DIR = (
    env_str("PHOTO_STORAGE_DIR", dev_default=str(Path(_DEVSTACK_DATA) / "listing-photos"))
    if PHOTO_STORAGE == "filesystem"
    else ""
)
PHOTO_S3_BUCKET = env_str("PHOTO_S3_BUCKET") if PHOTO_STORAGE == "s3" else ""
PHOTO_S3_PREFIX = env_str("PHOTO_S3_PREFIX", default="photos/")
# The largest photo file accepted (10 MiB); its upload route alone takes a body this large (plus
# the multipart framing), every other route keeps MAX_REQUEST_BODY_BYTES.
PHOTO_MAX_BYTES = env_int("PHOTO_MAX_BYTES", default=10 * 1024 * 1024)
MIDDLEWARE = [
    "listing_service.photos.middleware.BodySizeLimitMiddleware"
    if name == "dbay_common.django.middleware.BodySizeLimitMiddleware"
    else name
    for name in globals()["MIDDLEWARE"]
]

# ---- demo data (manage.py seed_demo) ----------------------------------------------------------------
# 0 makes `manage.py seed_demo` (run by `make up`) do nothing; it never runs in production anyway.
DEMO_SEED_ENABLED = env_bool("DBAY_SEED_DEMO", default=True)
