"""Reads for auction-service: functions that query and return data, never change it."""

from importlib.metadata import version

from django.conf import settings
from django.urls import reverse


def api_index() -> dict[str, str]:
    """The API root's content: which service answers, its version, where its documentation is."""
    return {
        "service": settings.DBAY_SERVICE,
        "version": version(settings.DBAY_SERVICE),
        "openapi_url": reverse("openapi-schema"),
        "docs_url": reverse("openapi-docs"),
    }
