"""The query cache: anonymous searches are answered from Memcached for a few seconds."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from flask import Flask

from search_gateway import create_app

from .factories import ids, snapshot


def app_with(config: dict[str, Any], jwks_url: str, **overrides: Any) -> Flask:
    return create_app({"JWT_JWKS_URL": jwks_url, "SEARCH_CACHE_TTL_S": 30, **overrides})


def test_anonymous_searches_are_reused_signed_in_ones_are_fresh(
    config: dict[str, Any], jwks_server: Any, put: Callable[..., None], auth: Callable[[str], dict[str, str]]
) -> None:
    client = app_with(config, jwks_server.url).test_client()
    first = snapshot(title="Teapot")
    put(first)
    assert ids(client.get("/api/v1/search/listings?q=teapot").get_json()) == [first["listing_id"]]

    second = snapshot(title="Teapot, blue")
    put(second)

    # The same search, spelled differently, is the same cache entry.
    assert ids(client.get("/api/v1/search/listings?q=%20teapot&sort=best_match").get_json()) == [
        first["listing_id"]
    ]
    signed_in = client.get("/api/v1/search/listings?q=teapot", headers=auth(str(uuid.uuid4()))).get_json()
    assert sorted(ids(signed_in)) == sorted([first["listing_id"], second["listing_id"]])


def test_memcached_down_only_costs_the_cache(
    config: dict[str, Any], jwks_server: Any, put: Callable[..., None], closed_port: int
) -> None:
    client = app_with(config, jwks_server.url, MEMCACHED_ADDRESS=f"127.0.0.1:{closed_port}").test_client()
    listing = snapshot(title="Kettle")
    put(listing)

    response = client.get("/api/v1/search/listings?q=kettle")

    assert response.status_code == 200
    assert ids(response.get_json()) == [listing["listing_id"]]


def test_threads_share_the_cache_safely(
    config: dict[str, Any], jwks_server: Any, put: Callable[..., None]
) -> None:
    """gunicorn runs four threads per worker: each must get its own search's answer."""
    from concurrent.futures import ThreadPoolExecutor

    app = app_with(config, jwks_server.url)
    words = ["anvil", "bucket", "candle", "drum", "easel", "funnel", "globe", "harp"]
    listings = [snapshot(title=word.capitalize()) for word in words]
    put(*listings)

    def find(number: int) -> list[str]:
        found: list[str] = []
        for _ in range(10):
            body = app.test_client().get(f"/api/v1/search/listings?q={words[number]}").get_json()
            found += ids(body)
        return found

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(find, range(8)))

    assert results == [[listing["listing_id"]] * 10 for listing in listings]
