"""Routes of listing-service: the health probes, and the public API under /api/v1/listings/.

The store checks read the settings when they run (not when this module is imported), so the
health document always describes the configured stores.
"""

from dbay_common.django.health import django_database_check, health_urlpatterns
from dbay_common.health import memcached_check, redis_check
from django.conf import settings
from django.urls import include, path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerView

API_PREFIX = "api/v1/listings/"

handler400 = "dbay_common.django.views.handler400"
handler403 = "dbay_common.django.views.handler403"
handler404 = "dbay_common.django.views.handler404"
handler500 = "dbay_common.django.views.handler500"

urlpatterns = [
    *health_urlpatterns(
        service=settings.DBAY_SERVICE,
        checks={
            "postgres": django_database_check(),
            "memcached": lambda: memcached_check(settings.MEMCACHED_ADDRESS)(),
            "redis": lambda: redis_check(settings.REDIS_URL)(),
        },
    ),
    path(API_PREFIX, include("listing_service.listings.urls")),
    path(f"{API_PREFIX}openapi.json", SpectacularJSONAPIView.as_view(), name="openapi-schema"),
    path(
        f"{API_PREFIX}docs/", SpectacularSwaggerView.as_view(url_name="openapi-schema"), name="openapi-docs"
    ),
]
