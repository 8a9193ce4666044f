"""The public edge as the devstack runs it: security headers, JSON errors, internal routes closed."""

from __future__ import annotations

import dataclasses
import subprocess
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import httpx
import pytest

from tests.platform.conftest import free_port, wait_for_port

EXPECTED_HEADERS = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "cross-origin-opener-policy": "same-origin",
}


@pytest.fixture
def gateway(devstack: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """nginx with the devstack's generated config; every service's upstream is a port nobody answers."""
    port = free_port()
    dead_port = free_port()
    monkeypatch.setattr(devstack, "DATA", tmp_path)
    monkeypatch.setattr(devstack, "PORTS", {**devstack.PORTS, "gateway": port})
    monkeypatch.setattr(
        devstack, "SERVICES", [dataclasses.replace(service, port=dead_port) for service in devstack.SERVICES]
    )
    (tmp_path / "gateway" / "logs").mkdir(parents=True)
    (tmp_path / "gateway" / "tmp").mkdir()
    devstack.write_gateway_config()
    config = tmp_path / "gateway" / "nginx.conf"
    process = subprocess.Popen(
        ["/usr/sbin/nginx", "-p", str(tmp_path / "gateway"), "-c", str(config), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for_port(port)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)


def test_the_app_is_served_with_the_security_headers_and_no_server_version(gateway: str) -> None:
    response = httpx.get(f"{gateway}/robots.txt")

    for name, value in EXPECTED_HEADERS.items():
        assert response.headers.get_list(name) == [value], name
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response.headers["server"] == "nginx"


@pytest.mark.parametrize(
    "path", ["/api/v1/wallet/internal/holds", "/api/v1/wallet/internal/", "/api/v1/user/internal"]
)
def test_internal_routes_are_not_reachable_from_outside(gateway: str, path: str) -> None:
    response = httpx.post(f"{gateway}{path}", json={})

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "route_not_found"


def test_a_service_that_is_down_answers_503_in_the_error_shape(gateway: str) -> None:
    response = httpx.get(f"{gateway}/api/v1/wallet/balance")

    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "error": {
            "type": "api_error",
            "code": "service_unavailable",
            "message": "The service is temporarily unavailable; try again in a few seconds.",
        }
    }
    assert response.headers["x-frame-options"] == "DENY"


def test_a_body_past_the_gateway_limit_answers_413_in_the_error_shape(gateway: str) -> None:
    response = httpx.post(f"{gateway}/api/v1/wallet/withdrawals", content=b"x" * (21 * 1024 * 1024))

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"


def test_an_address_past_the_gateway_limit_answers_414_in_the_error_shape(gateway: str) -> None:
    response = httpx.get(f"{gateway}/api/v1/search/listings", params={"q": "camera " * 1500})

    assert response.status_code == 414
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "error": {
            "type": "invalid_request",
            "code": "uri_too_long",
            "message": "The address is too long; shorten the search or its filters.",
        }
    }
    assert response.headers["x-frame-options"] == "DENY"
