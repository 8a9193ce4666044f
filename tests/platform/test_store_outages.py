"""Stores stopped under the services: a clean, fast PostgreSQL stop, and health that tells the truth."""

from __future__ import annotations

import importlib
import signal
import time

import psycopg
import pytest
from flask import Flask

from tests.platform.conftest import Server

STOP_BUDGET_S = 5.0


def test_postgres_stops_fast_and_cleanly_with_pooled_connections_open(
    devstack: object, private_postgres: Server
) -> None:
    # A service's pooled connection stays open, idle, as gunicorn and Celery keep theirs.
    pooled = psycopg.connect(host="127.0.0.1", port=private_postgres.port, user="postgres", dbname="postgres")
    started = time.monotonic()

    private_postgres.signal(getattr(signal, f"SIG{devstack.POSTGRES_STOP_SIGNAL}"))  # type: ignore[attr-defined]
    exit_code = private_postgres.wait(STOP_BUDGET_S)

    assert exit_code == 0
    assert time.monotonic() - started < STOP_BUDGET_S
    pooled.close()
    private_postgres.start()
    log = private_postgres.log.read_text()
    assert "database system is shut down" in log
    assert "not properly shut down" not in log
    assert "automatic recovery in progress" not in log


@pytest.mark.parametrize("package", ["notification_service", "messaging_service"])
def test_flask_services_report_postgres_under_ferretdb_as_down(
    package: str, private_ferretdb: Server, private_postgres: Server
) -> None:
    create_app = importlib.import_module(package).create_app
    uri = f"mongodb://127.0.0.1:{private_ferretdb.port}/{package}"
    app: Flask = create_app({"MONGODB_URI": uri})
    client = app.test_client()
    assert client.get("/health").get_json()["checks"]["mongodb"]["status"] == "ok"

    private_postgres.signal(signal.SIGINT)
    private_postgres.wait(STOP_BUDGET_S)

    response = client.get("/health")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable"
    assert body["checks"]["mongodb"]["status"] == "error"
    assert "Traceback" not in body["checks"]["mongodb"]["error"]
