"""``GET health`` (readiness: the stores answer) and ``GET health/live`` (liveness: the process runs).

Two endpoints because they answer different questions: Kubernetes restarts a pod whose *liveness*
fails, so liveness must not depend on PostgreSQL (a database outage would otherwise restart every
pod, which fixes nothing), while *readiness* takes a pod out of the load balancer until its stores
answer. Both are plain Django views: no authentication, no idempotency, JSON only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.urls import URLPattern, path

from dbay_common.django.views import safe_methods_only
from dbay_common.health import CHECK_TIMEOUT_S, Check, run_checks


def django_database_check(alias: str = "default") -> Check:
    """Check the database of ``DATABASES[alias]`` with its own short-lived connection.

    Not Django's connection: the checks run in worker threads, where a Django connection would be
    opened per thread and never closed, and a fresh connection with a short timeout is the honest test.
    """

    def check() -> None:
        import psycopg
        from psycopg.conninfo import make_conninfo

        config = settings.DATABASES[alias]
        options = {
            key: value for key, value in config.get("OPTIONS", {}).items() if isinstance(value, str | int)
        }
        options["connect_timeout"] = int(CHECK_TIMEOUT_S)
        options["options"] = f"-c statement_timeout={int(CHECK_TIMEOUT_S * 1000)}"
        conninfo = make_conninfo(
            "",
            dbname=config["NAME"],
            user=config.get("USER") or None,
            password=config.get("PASSWORD") or None,
            host=config.get("HOST") or None,
            port=config.get("PORT") or None,
            **options,
        )
        with psycopg.connect(conninfo) as connection:
            connection.execute("SELECT 1").fetchone()

    return check


def setting_check(factory: Callable[[Any], Check], setting: str) -> Check:
    """A check built by ``factory`` from ``settings.<setting>`` each time it runs.

    ``setting_check(redis_check, "REDIS_URL")`` checks whatever ``REDIS_URL`` is when ``/health`` is
    requested, not what it was when the URLconf was imported (tests override settings; so does an
    operator's ``override_settings`` in a shell).
    """

    def check() -> None:
        factory(getattr(settings, setting))()

    return check


def health_urlpatterns(*, service: str, checks: dict[str, Check]) -> list[URLPattern]:
    """URL patterns for ``health`` and ``health/live``; include them under the service's prefix."""

    @safe_methods_only
    def health(request: HttpRequest) -> JsonResponse:
        status, document = run_checks(service=service, checks=checks)
        return JsonResponse(document, status=status)

    @safe_methods_only
    def live(request: HttpRequest) -> JsonResponse:
        return JsonResponse({"status": "ok"})

    views: list[tuple[str, Callable[..., Any], str]] = [
        ("health", health, "health"),
        ("health/live", live, "health-live"),
    ]
    return [path(route, view, name=name) for route, view, name in views]
