from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from search_gateway import create_app
from search_gateway.config import load_config
from search_gateway.services import listing_index_snapshot
from search_gateway.store import SearchIndex, search_index


@pytest.fixture
def app() -> Flask:
    """The app as configured from the environment (the contract tests break its stores in app.config)."""
    return create_app()


@pytest.fixture(autouse=True)
def index_prefix(es_index_prefix: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test's own indices (deleted afterwards), never the devstack's: the app, the worker and
    the handlers all read the prefix from the environment."""
    prefix = f"{es_index_prefix}listings"
    monkeypatch.setenv("ELASTICSEARCH_INDEX_PREFIX", prefix)
    monkeypatch.setenv("SEARCH_CACHE_TTL_S", "0")
    return prefix


@pytest.fixture
def config(index_prefix: str) -> dict[str, Any]:
    return load_config()


@pytest.fixture
def search_app(config: dict[str, Any], jwks_server: Any) -> Flask:
    return create_app({"JWT_JWKS_URL": jwks_server.url})


@pytest.fixture
def client(search_app: Flask) -> FlaskClient:
    return search_app.test_client()


@pytest.fixture
def index(config: dict[str, Any]) -> SearchIndex:
    return search_index(config)


@pytest.fixture
def put(config: dict[str, Any], index: SearchIndex) -> Callable[..., None]:
    """Index snapshots as their events would, then make them searchable."""

    def put(*snapshots: dict[str, Any]) -> None:
        for snapshot in snapshots:
            listing_index_snapshot(config=config, snapshot=snapshot)
        index.client.indices.refresh(index=index.alias)

    return put


@pytest.fixture
def search(client: FlaskClient) -> Callable[..., Any]:
    """GET /api/v1/search/listings with these parameters; asserts 200 and returns the body."""

    def search(**params: Any) -> Any:
        response = client.get("/api/v1/search/listings", query_string=params)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    return search


@pytest.fixture
def auth(make_token: Callable[..., str]) -> Iterator[Callable[[str], dict[str, str]]]:
    def headers(user_id: str) -> dict[str, str]:
        token = make_token(sub=user_id, roles=["buyer", "seller"], email_verified=True)
        return {"Authorization": f"Bearer {token}"}

    yield headers
