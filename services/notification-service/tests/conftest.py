from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from pymongo.database import Database

from notification_service import create_app


@pytest.fixture(autouse=True)
def mongodb_uri(mongo_db: Database[dict[str, Any]], monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Point the app, the worker, the relay and the jobs at a throwaway database (dropped after)."""
    uri = f"mongodb://127.0.0.1:{mongo_db.client.address[1]}/{mongo_db.name}"
    monkeypatch.setenv("MONGODB_URI", uri)
    yield uri


@pytest.fixture
def app() -> Flask:
    """The app as configured from the environment (the contract tests break its stores in app.config)."""
    return create_app()
