"""The routes every Django service's public API starts with, under ``settings.DBAY_API_PREFIX``.

A service's root ``urls.py``::

    from dbay_common.django.urls import (  # noqa: F401 - Django reads handler400..500 from here
        handler400,
        handler403,
        handler404,
        handler500,
        service_urlpatterns,
    )

    urlpatterns = service_urlpatterns(checks={"postgres": django_database_check(), ...},
                                      urls="wallet_service.ledger.urls")

gives, for ``api_prefix="api/v1/wallet/"`` in ``common_settings``:

* ``GET /api/v1/wallet/``: the API index (service, version, where the OpenAPI document and docs are),
  public, so the gateway route can be checked end to end;
* ``GET /api/v1/wallet/openapi.json``: the OpenAPI document (``openapi-schema``);
* ``GET /api/v1/wallet/docs/``: Swagger UI (``openapi-docs``), whose files are served from
  ``/api/v1/wallet/static/`` by the service itself (``SWAGGER_UI_DIST = "SIDECAR"``);
* the service's own routes (``urls``) under the same prefix.
"""

from __future__ import annotations

import re
from importlib.metadata import version
from typing import Any

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest
from django.urls import URLPattern, URLResolver, include, path, reverse
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerView
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dbay_common.django.views import safe_methods_only
from dbay_common.health import Check
from dbay_common.swagger_ui import SWAGGER_UI_DIST, SWAGGER_UI_FILES

__all__ = ["api_index", "handler400", "handler403", "handler404", "handler500", "public_api_urlpatterns"]

# The JSON error views (dbay_common.django.views). Django looks them up by these names in the root
# URLconf, which imports them from here.
handler400 = "dbay_common.django.views.handler400"
handler403 = "dbay_common.django.views.handler403"
handler404 = "dbay_common.django.views.handler404"
handler500 = "dbay_common.django.views.handler500"

#: Where ``static('drf_spectacular_sidecar/swagger-ui-dist/<file>')`` points below ``STATIC_URL``.
SWAGGER_UI_STATIC_PATH = "drf_spectacular_sidecar/swagger-ui-dist/"
#: Swagger UI's files only change with the sidecar package, so browsers may keep them a day.
SWAGGER_UI_MAX_AGE_S = 24 * 3600


def api_index() -> dict[str, str]:
    """The API index: which service answers, its version, where its OpenAPI document and docs are."""
    return {
        "service": settings.DBAY_SERVICE,
        "version": version(settings.DBAY_SERVICE),
        "openapi_url": reverse("openapi-schema"),
        "docs_url": reverse("openapi-docs"),
    }


def _api_index_view(resource: str) -> Any:
    """The index view, documented as ``<Resource>Index`` / ``<resource>_index`` (``WalletIndex``)."""
    component = "".join(part.capitalize() for part in re.split(r"[-_]", resource)) + "Index"

    @extend_schema_serializer(component_name=component)
    class OutputSerializer(serializers.Serializer[dict[str, Any]]):
        service = serializers.CharField()
        version = serializers.CharField()
        openapi_url = serializers.CharField()
        docs_url = serializers.CharField()

    class ApiIndexApi(APIView):
        authentication_classes = ()
        permission_classes = (AllowAny,)

        @extend_schema(
            operation_id=f"{resource.replace('-', '_')}_index",
            summary="API index",
            description="Which service answers, its version, and where its OpenAPI document and docs are.",
            responses={200: OutputSerializer},
        )
        def get(self, request: Request) -> Response:
            # Public, but a presented token is still checked, as on every other route: a client learns
            # at once that its token is broken or its session revoked.
            if "Authorization" in request.headers:
                from dbay_common.drf.authentication import JwtAuthentication

                JwtAuthentication().authenticate(request)
            return Response(OutputSerializer(api_index()).data)

    return ApiIndexApi.as_view()


@safe_methods_only
def swagger_ui_asset(request: HttpRequest, filename: str) -> FileResponse:
    """One of Swagger UI's files, by name from a fixed list (never a path a client chooses)."""
    if filename not in SWAGGER_UI_FILES:
        raise Http404(filename)
    response = FileResponse((SWAGGER_UI_DIST / filename).open("rb"))
    response["Cache-Control"] = f"public, max-age={SWAGGER_UI_MAX_AGE_S}"
    return response


def public_api_urlpatterns(*, urls: str | None = None) -> list[URLPattern | URLResolver]:
    """The index, OpenAPI document, Swagger UI (and its files) and ``urls`` under the API prefix."""
    prefix: str = settings.DBAY_API_PREFIX
    resource = prefix.rstrip("/").rsplit("/", 1)[-1]
    static = settings.STATIC_URL.lstrip("/")
    patterns: list[URLPattern | URLResolver] = [
        path(prefix, _api_index_view(resource), name="api-index"),
        path(f"{prefix}openapi.json", SpectacularJSONAPIView.as_view(), name="openapi-schema"),
        path(
            f"{prefix}docs/", SpectacularSwaggerView.as_view(url_name="openapi-schema"), name="openapi-docs"
        ),
        # STATIC_URL is "/<prefix>static/" (common_settings): the URLs drf-spectacular puts in the page.
        path(f"{static}{SWAGGER_UI_STATIC_PATH}<str:filename>", swagger_ui_asset, name="swagger-ui-asset"),
    ]
    if urls is not None:
        patterns.append(path(prefix, include(urls)))
    return patterns


def service_urlpatterns(
    *, checks: dict[str, Check], urls: str | None = None
) -> list[URLPattern | URLResolver]:
    """A Django service's whole root URLconf: ``/health`` and ``/health/live`` with ``checks`` (one per
    store), then :func:`public_api_urlpatterns` with the app's ``urls`` under the API prefix."""
    from dbay_common.django.health import health_urlpatterns

    return [
        *health_urlpatterns(service=settings.DBAY_SERVICE, checks=checks),
        *public_api_urlpatterns(urls=urls),
    ]
