"""Reads for notification-service: functions that query and return data, never change it."""

from importlib.metadata import version

from flask import current_app, url_for


def api_index() -> dict[str, str]:
    """The API root's content: which service answers, its version, where its OpenAPI document is."""
    service = current_app.config["DBAY_SERVICE"]
    return {
        "service": service,
        "version": version(service),
        "openapi_url": url_for("api-docs.openapi_json"),
    }
