"""Routes of listing-service: the health probes, and the public API under /api/v1/listings/."""

from django.conf import settings
from django.urls import include, path

from dbay_common.django.health import django_database_check, setting_check
from dbay_common.django.urls import (  # noqa: F401 - Django reads handler400..500 from the root URLconf
    handler400,
    handler403,
    handler404,
    handler500,
    service_urlpatterns,
)
from dbay_common.health import memcached_check, redis_check

urlpatterns = [
    *service_urlpatterns(
        checks={
            "postgres": django_database_check(),
            "memcached": setting_check(memcached_check, "MEMCACHED_ADDRESS"),
            "redis": setting_check(redis_check, "REDIS_URL"),
        },
        urls="listing_service.listings.urls",
    ),
    # Photos: upload, reorder, delete, and the image files (/api/v1/listings/photos/<id>/<size>).
    path(settings.DBAY_API_PREFIX, include("listing_service.photos.urls")),
]
