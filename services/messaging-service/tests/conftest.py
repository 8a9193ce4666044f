from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pymongo.database import Database

from messaging_service import create_app
from messaging_service.db import STORE

from .support import Db, Member, deliver, listing_data


@pytest.fixture(autouse=True)
def mongodb_uri(
    mongo_db: Database[dict[str, Any]], redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """Point the app, the worker, the relay and the jobs at a throwaway database (dropped after) and
    at a Redis test db (rate limits, relay kicks, revoked sessions)."""
    uri = f"mongodb://127.0.0.1:{mongo_db.client.address[1]}/{mongo_db.name}"
    monkeypatch.setenv("MONGODB_URI", uri)
    monkeypatch.setenv("REDIS_URL", redis_url)
    yield uri


@pytest.fixture
def app() -> Flask:
    """The app as configured from the environment (the contract tests break its stores in app.config)."""
    return create_app()


@pytest.fixture
def database(mongodb_uri: str) -> Db:
    return STORE.database(mongodb_uri)


@pytest.fixture
def messaging_app(jwks_server: Any) -> Flask:
    return create_app({"JWT_JWKS_URL": jwks_server.url, "MESSAGE_SEND_RATE": "1000/1m"})


@pytest.fixture
def client(messaging_app: Flask) -> FlaskClient:
    return messaging_app.test_client()


@pytest.fixture
def member(make_token: Callable[..., str]) -> Callable[..., Member]:
    """A member this service knows (``user.registered`` handled), with their Authorization header."""

    def make(*, staff: bool = False, display_name: str | None = None, known: bool = True) -> Member:
        user_id = str(uuid.uuid4())
        username = f"user_{user_id[:8]}"
        roles = ["buyer", "seller", *(["staff"] if staff else [])]
        token = make_token(sub=user_id, roles=roles, email_verified=True)
        if known:
            deliver(
                "user.registered",
                {
                    "user_id": user_id,
                    "username": username,
                    "email": f"{username}@example.com",
                    "roles": roles,
                    "registered_at": "2026-12-01T10:00:00Z",
                },
                source="dbay.user",
            )
        if display_name is not None:
            deliver(
                "user.profile_updated",
                {
                    "user_id": user_id,
                    "username": username,
                    "display_name": display_name,
                    "avatar_url": "",
                    "location": "",
                    "bio": "",
                    "changed_fields": ["display_name"],
                    "updated_at": "2026-12-02T10:00:00Z",
                },
                source="dbay.user",
            )
        return Member(id=user_id, username=username, headers={"Authorization": f"Bearer {token}"})

    return make


@pytest.fixture
def listing() -> Callable[..., str]:
    """A listing of ``seller_id`` this service knows (``listing.created`` handled); returns its id."""

    def make(seller_id: str, **changes: Any) -> str:
        listing_id = str(uuid.uuid4())
        deliver("listing.created", listing_data(listing_id, seller_id, **changes), source="dbay.listing")
        return listing_id

    return make
