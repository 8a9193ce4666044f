"""Django wiring: request ids, system checks and migrations of the lib's apps."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client

from dbay_common.logging import correlation_id_var, request_id_var


def test_request_id_generated_and_echoed(client: Client) -> None:
    response = client.get("/api/health/live")
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32 and int(request_id, 16) >= 0
    assert response["X-Correlation-ID"] == request_id


def test_request_ids_taken_from_the_caller(client: Client) -> None:
    response = client.get("/api/health/live", headers={"X-Request-ID": "req-1", "X-Correlation-ID": "corr-1"})
    assert (response["X-Request-ID"], response["X-Correlation-ID"]) == ("req-1", "corr-1")


@pytest.mark.parametrize("bad", ["has space", "x" * 129, "semi;colon", ""])
def test_unsafe_request_ids_replaced(client: Client, bad: str) -> None:
    response = client.get("/api/health/live", headers={"X-Request-ID": bad})
    assert response["X-Request-ID"] != bad and len(response["X-Request-ID"]) == 32


def test_context_variables_reset_after_the_request(client: Client) -> None:
    client.get("/api/health/live", headers={"X-Request-ID": "req-2"})
    assert request_id_var.get() is None
    assert correlation_id_var.get() is None


def test_system_checks_pass() -> None:
    out = io.StringIO()
    call_command("check", stdout=out)
    assert "System check identified no issues" in out.getvalue()


@pytest.mark.django_db
def test_migrations_are_complete() -> None:
    call_command("makemigrations", "dbay_idempotency", "--check", "--dry-run", stdout=io.StringIO())
