"""Routes of auction-service: the health probes, and the public API under /api/v1/auctions/."""

from django.conf import settings

from dbay_common.django.health import django_database_check, health_urlpatterns, setting_check
from dbay_common.django.urls import (  # noqa: F401 - Django reads handler400..500 from the root URLconf
    handler400,
    handler403,
    handler404,
    handler500,
    public_api_urlpatterns,
)
from dbay_common.health import redis_check

urlpatterns = [
    *health_urlpatterns(
        service=settings.DBAY_SERVICE,
        checks={
            "postgres": django_database_check(),
            "redis": setting_check(redis_check, "REDIS_URL"),
        },
    ),
    *public_api_urlpatterns(urls="auction_service.auctions.urls"),
]
