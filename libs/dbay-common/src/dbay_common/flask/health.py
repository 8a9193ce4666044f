"""``GET /health`` (readiness) and ``GET /health/live`` (liveness) for Flask services.

See :mod:`dbay_common.django.health` for why there are two. No authentication, JSON only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, current_app, jsonify

from dbay_common.health import Check, run_checks


def config_check(factory: Callable[[Any], Check], key: str) -> Check:
    """A check built by ``factory`` from ``current_app.config[key]`` each time it runs.

    ``config_check(redis_check, "REDIS_URL")`` checks the store the app is configured with when
    ``/health`` is requested (``run_checks`` runs it in the request's context).
    """

    def check() -> None:
        factory(current_app.config[key])()

    return check


def health_blueprint(*, service: str, checks: dict[str, Check], name: str = "dbay_health") -> Blueprint:
    """A blueprint with ``/health`` and ``/health/live``; register it under the service's prefix."""
    blueprint = Blueprint(name, __name__)

    @blueprint.get("/health")
    def health() -> tuple[Response, int]:
        status, document = run_checks(service=service, checks=checks)
        return jsonify(document), status

    @blueprint.get("/health/live")
    def live() -> Response:
        return jsonify({"status": "ok"})

    return blueprint
