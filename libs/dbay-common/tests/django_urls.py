from __future__ import annotations

from django.urls import include, path

from dbay_common.django.health import django_database_check, health_urlpatterns
from dbay_common.django.urls import (  # noqa: F401 - Django reads handler400..500 from the root URLconf
    handler400,
    handler403,
    handler404,
    handler500,
    public_api_urlpatterns,
)
from dbay_common.health import redis_check
from dbay_common.settings import dev_url
from tests import django_views as views

urlpatterns = [
    path("api/echo", views.EchoView.as_view()),
    path("api/whoami", views.WhoAmIView.as_view()),
    path("api/admin", views.AdminView.as_view()),
    path("api/boom", views.BoomView.as_view()),
    path("api/conflict", views.ConflictView.as_view()),
    path("api/throttled", views.ThrottledView.as_view()),
    path("api/missing", views.MissingView.as_view()),
    path("api/items", views.ItemListView.as_view()),
    path("api/things", views.IdempotentCreateView.as_view()),
    path("api/exempt-things", views.ExemptCreateView.as_view()),
    path("plain/boom", views.plain_boom),
    path("api/item-count", views.ItemCountView.as_view()),
    path("plain/item-count", views.plain_item_count),
    *public_api_urlpatterns(),
    path(
        "api/",
        include(
            health_urlpatterns(
                service="dbay-common-tests",
                checks={
                    "postgres": django_database_check(),
                    "redis": redis_check(dev_url("redis", name="9")),
                },
            )
        ),
    ),
    path(
        "broken/",
        include(
            health_urlpatterns(
                service="dbay-common-tests",
                checks={"postgres": django_database_check(), "redis": redis_check("redis://127.0.0.1:1/0")},
            )
        ),
    ),
]
