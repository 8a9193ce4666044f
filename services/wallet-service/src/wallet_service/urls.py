"""Routes of wallet-service: the health probes, and the public API under /api/v1/wallet/."""

from django.conf import settings
from django.urls import include, path

from dbay_common.django.health import django_database_check, health_urlpatterns, setting_check
from dbay_common.django.urls import (  # noqa: F401 - Django reads handler400..500 from the root URLconf
    handler400,
    handler403,
    handler404,
    handler500,
    public_api_urlpatterns,
)
from dbay_common.health import dogecoin_node_check, redis_check

urlpatterns = [
    *health_urlpatterns(
        service=settings.DBAY_SERVICE,
        checks={
            "postgres": django_database_check(),
            "redis": setting_check(redis_check, "REDIS_URL"),
            "dogecoin": setting_check(dogecoin_node_check, "DOGECOIN_RPC_URL"),
        },
    ),
    *public_api_urlpatterns(urls="wallet_service.ledger.urls"),
    path(settings.DBAY_API_PREFIX, include("wallet_service.chain.urls")),
    path(settings.DBAY_API_PREFIX, include("wallet_service.staff.urls")),
]
