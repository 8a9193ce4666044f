"""Health checks against the real stores, against closed ports, and the Django/Flask endpoints."""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest
from django.test import Client

from dbay_common.django.health import setting_check
from dbay_common.flask import config_check, create_service_app
from dbay_common.health import (
    dogecoin_node_check,
    elasticsearch_check,
    memcached_check,
    mongodb_check,
    postgres_check,
    redis_check,
    run_checks,
)
from dbay_common.openapi import API_CONVENTIONS
from dbay_common.settings import dev_url
from dbay_common.testing.plugin import JwksServer
from tests.flask_app import PREFIX, build_app


def test_all_real_stores_ok(
    postgres_dsn: str,
    redis_url: str,
    memcached_addr: str,
    elasticsearch_url: str,
    mongo_client: Any,
    dogecoin_rpc_url: str,
) -> None:
    checks = {
        "postgres": postgres_check(postgres_dsn),
        "redis": redis_check(redis_url),
        "memcached": memcached_check(memcached_addr),
        "elasticsearch": elasticsearch_check(elasticsearch_url),
        "mongodb": mongodb_check(dev_url("mongodb")),
        "dogecoin": dogecoin_node_check(dogecoin_rpc_url),
    }
    status, document = run_checks(service="wallet-service", checks=checks)
    assert status == 200, document
    assert document["status"] == "ok"
    assert document["service"] == "wallet-service"
    assert list(document["checks"]) == list(checks)
    for result in document["checks"].values():
        assert set(result) == {"status", "latency_ms"}
        assert result["status"] == "ok"
        assert isinstance(result["latency_ms"], float) and 0 <= result["latency_ms"] < 2000


def test_closed_ports_fail_fast_with_short_errors(closed_port: int) -> None:
    checks = {
        "postgres": postgres_check(f"postgresql://postgres@127.0.0.1:{closed_port}/x"),
        "redis": redis_check(f"redis://127.0.0.1:{closed_port}/0"),
        "memcached": memcached_check(f"127.0.0.1:{closed_port}"),
        "elasticsearch": elasticsearch_check(f"http://127.0.0.1:{closed_port}"),
        "mongodb": mongodb_check(f"mongodb://127.0.0.1:{closed_port}/"),
        "dogecoin": dogecoin_node_check(f"http://dbay:sekrit@127.0.0.1:{closed_port}/"),
    }
    started = time.monotonic()
    status, document = run_checks(service="wallet-service", checks=checks)
    assert time.monotonic() - started < 5  # in parallel, each bounded by the 2 s timeout
    assert status == 503
    assert document["status"] == "unavailable"
    expected_types = {
        "postgres": "OperationalError: ",
        "redis": "ConnectionError: ",
        "memcached": "ConnectionRefusedError: ",
        "elasticsearch": "ConnectionError: ",
        "mongodb": "ServerSelectionTimeoutError: ",
        "dogecoin": "ConnectionError: ",
    }
    for name, result in document["checks"].items():
        assert set(result) == {"status", "error"}, name
        assert result["status"] == "error"
        assert result["error"].startswith(expected_types[name]), result["error"]
        assert len(result["error"]) <= 200
        assert "\n" not in result["error"] and "Traceback" not in result["error"]
    assert "sekrit" not in str(document)


def test_mixed_results_are_503(redis_url: str, closed_port: int) -> None:
    status, document = run_checks(
        service="s",
        checks={"redis": redis_check(redis_url), "other": redis_check(f"redis://127.0.0.1:{closed_port}/0")},
    )
    assert status == 503
    assert document["checks"]["redis"]["status"] == "ok"
    assert document["checks"]["other"]["status"] == "error"


def test_wrong_rpc_credentials(dogecoin_rpc_url: str) -> None:
    wrong = dogecoin_rpc_url.replace("dbay:dbay@", "dbay:wrong@")
    _, document = run_checks(service="s", checks={"dogecoin": dogecoin_node_check(wrong)})
    assert document["checks"]["dogecoin"] == {
        "status": "error",
        "error": "HealthCheckError: RPC authentication failed",
    }


def test_no_checks_is_ok() -> None:
    assert run_checks(service="s", checks={}) == (200, {"status": "ok", "service": "s", "checks": {}})


def test_check_raising_anything_is_reported() -> None:
    def broken() -> None:
        raise KeyError("x" * 500)

    _, document = run_checks(service="s", checks={"custom": broken})
    assert document["checks"]["custom"]["error"].startswith("KeyError: 'xxx")
    assert len(document["checks"]["custom"]["error"]) == 200


# -- Django endpoints --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_django_health_ok(client: Client, redis_url: str) -> None:
    response = client.get("/api/health")
    assert response.status_code == 200
    document = response.json()
    assert document["status"] == "ok" and document["service"] == "dbay-common-tests"
    assert [document["checks"][name]["status"] for name in ("postgres", "redis")] == ["ok", "ok"]


@pytest.mark.django_db
def test_django_health_unavailable(client: Client) -> None:
    response = client.get("/broken/health")
    assert response.status_code == 503
    document = response.json()
    assert document["status"] == "unavailable"
    assert document["checks"]["postgres"]["status"] == "ok"
    assert document["checks"]["redis"]["status"] == "error"


def test_django_live_and_methods(client: Client) -> None:
    response = client.get("/broken/health/live")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    posted = client.post("/api/health/live", headers={"Idempotency-Key": "k"})
    assert posted.status_code == 405
    assert posted["Allow"] == "GET, HEAD"
    assert posted.json()["error"]["code"] == "method_not_allowed"


def test_setting_check_reads_the_setting_each_time_it_runs(
    settings: Any, redis_url: str, closed_port: int
) -> None:
    settings.DBAY_TEST_REDIS_URL = redis_url
    check = setting_check(redis_check, "DBAY_TEST_REDIS_URL")
    check()  # answers

    settings.DBAY_TEST_REDIS_URL = f"redis://127.0.0.1:{closed_port}/0"

    with pytest.raises(Exception, match="Connection refused"):
        check()


# -- Flask endpoints ---------------------------------------------------------------------------------


def test_flask_health(served: JwksServer, redis_url: str, closed_port: int) -> None:
    root = logging.getLogger()
    saved = list(root.handlers), root.level
    try:
        healthy = build_app(jwks_url=served.url, checks={"redis": redis_check(redis_url)})
        broken = build_app(
            jwks_url=served.url, checks={"redis": redis_check(f"redis://127.0.0.1:{closed_port}/0")}
        )
    finally:
        root.handlers = saved[0]
        root.setLevel(saved[1])
    ok = healthy.test_client().get(f"{PREFIX}/health")
    assert ok.status_code == 200
    assert ok.get_json()["checks"]["redis"]["status"] == "ok"
    down = broken.test_client().get(f"{PREFIX}/health")
    assert down.status_code == 503
    assert down.get_json()["status"] == "unavailable"
    assert down.get_json()["checks"]["redis"]["error"].startswith("ConnectionError: ")
    live = broken.test_client().get(f"{PREFIX}/health/live")
    assert (live.status_code, live.get_json()) == (200, {"status": "ok"})


def test_flask_config_check_reads_app_config_per_request(
    served: JwksServer, redis_url: str, closed_port: int
) -> None:
    root = logging.getLogger()
    saved = list(root.handlers), root.level
    try:
        app = build_app(jwks_url=served.url, checks={"redis": config_check(redis_check, "TEST_REDIS_URL")})
    finally:
        root.handlers = saved[0]
        root.setLevel(saved[1])
    app.config["TEST_REDIS_URL"] = redis_url
    client = app.test_client()

    ok = client.get(f"{PREFIX}/health")
    app.config["TEST_REDIS_URL"] = f"redis://127.0.0.1:{closed_port}/0"
    down = client.get(f"{PREFIX}/health")

    assert (ok.status_code, ok.get_json()["checks"]["redis"]["status"]) == (200, "ok")
    assert down.status_code == 503
    assert down.get_json()["checks"]["redis"]["error"].startswith("ConnectionError: ")


def test_create_service_app_registers_the_health_checks_over_the_service_config(
    redis_url: str, closed_port: int
) -> None:
    root = logging.getLogger()
    saved = list(root.handlers), root.level
    try:
        app, _api = create_service_app(
            import_name=__name__,
            service="dbay-common",
            api_prefix="/api/v1/checked",
            config={"TEST_REDIS_URL": redis_url, "DBAY_IDEMPOTENCY_TTL_S": 60},
            checks={"redis": config_check(redis_check, "TEST_REDIS_URL")},
        )
    finally:
        root.handlers = saved[0]
        root.setLevel(saved[1])
    client = app.test_client()

    ok = client.get("/health")
    app.config["TEST_REDIS_URL"] = f"redis://127.0.0.1:{closed_port}/0"
    down = client.get("/health")
    live = client.get("/health/live")
    document = client.get("/api/v1/checked/openapi.json").get_json()

    assert app.config["DBAY_IDEMPOTENCY_TTL_S"] == 60  # the service's config wins over the shared one
    assert (ok.status_code, ok.get_json()["service"], ok.get_json()["checks"]["redis"]["status"]) == (
        200,
        "dbay-common",
        "ok",
    )
    assert (down.status_code, down.get_json()["checks"]["redis"]["status"]) == (503, "error")
    assert (live.status_code, live.get_json()) == (200, {"status": "ok"})
    assert document["info"] == {
        "title": "dBay dbay-common",
        "version": "1.0.0",
        "description": API_CONVENTIONS,
    }
