"""Django's error views in the dBay error shape.

DRF views already answer errors through the DRF exception handler; these cover what happens outside
them (unknown URL, an exception in a plain Django view or middleware, a bad Host header). Each
service's root ``urls.py`` sets::

    handler400 = "dbay_common.django.views.handler400"
    handler403 = "dbay_common.django.views.handler403"
    handler404 = "dbay_common.django.views.handler404"
    handler500 = "dbay_common.django.views.handler500"
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse

from dbay_common.errors import InvalidRequest, NotFound, PermissionDenied, error_body

GENERIC_500_MESSAGE = "An internal error occurred. It has been logged; please try again later."


def handler400(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse(InvalidRequest("The request could not be understood.").to_body(), status=400)


def handler403(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse(PermissionDenied().to_body(), status=403)


def handler404(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    message = f"Unrecognized request URL ({request.method}: {request.path})."
    return JsonResponse(NotFound(message).to_body(), status=404)


def handler500(request: HttpRequest) -> JsonResponse:
    # Django has already logged the exception (logger "django.request") with its traceback.
    return JsonResponse(
        error_body(type="api_error", code="internal_error", message=GENERIC_500_MESSAGE), status=500
    )
