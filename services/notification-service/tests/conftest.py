import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis
from flask import Flask
from pymongo.database import Database

from dbay_common.events.envelope import Event
from notification_service import create_app
from notification_service.db import RECIPIENTS, database
from notification_service.live.topics import stream_key


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


# -- the service's own fixtures (tests/live/ has its own conftest) --------------------------------------


Db = Database[dict[str, Any]]
SOURCES = {
    "deposit": "dbay.wallet",
    "withdrawal": "dbay.wallet",
    "listing": "dbay.listing",
    "search": "dbay.search",
    "message": "dbay.messaging",
    "conversation": "dbay.messaging",
    "session": "dbay.user",
    "user": "dbay.user",
    "bid": "dbay.auction",
    "auction": "dbay.auction",
}


@pytest.fixture
def service_env(redis_url: str, monkeypatch: pytest.MonkeyPatch, mongodb_uri: str) -> dict[str, str]:
    """The service's Redis on a test db; mail settings the tests override per test."""
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("PUBLIC_WEB_URL", "https://dbay.test")
    monkeypatch.setenv("MAIL_RETRY_BASE_S", "30")
    return {"REDIS_URL": redis_url, "MONGODB_URI": mongodb_uri}


@pytest.fixture
def db(service_env: dict[str, str]) -> Db:
    return database(service_env["MONGODB_URI"])


@pytest.fixture
def live(service_env: dict[str, str]) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(service_env["REDIS_URL"], decode_responses=True)
    yield client
    client.close()


def make_event(detail_type: str, data: dict[str, Any]) -> Event:
    """An event as its producer would publish it (fresh event id)."""
    source = SOURCES[detail_type.split(".")[0]]
    return Event.new(
        source=source, detail_type=detail_type, data=data, producer=source.split(".")[1] + "-service"
    )


@pytest.fixture
def event() -> Callable[[str, dict[str, Any]], Event]:
    return make_event


@pytest.fixture
def frames(live: redis.Redis) -> Callable[[str], list[dict[str, Any]]]:
    """The live messages published on a topic so far (its replay stream), oldest first."""

    def read(topic: str) -> list[dict[str, Any]]:
        return [json.loads(fields["f"]) for _id, fields in live.xrange(stream_key(topic))]

    return read


@pytest.fixture
def member(db: Db) -> Callable[..., str]:
    """A member in the directory (verified address unless told otherwise); returns their id."""

    def create(*, email: str = "ada@example.com", verified: bool = True, name: str = "Ada") -> str:
        user_id = str(uuid.uuid4())
        db[RECIPIENTS].insert_one(
            {
                "_id": user_id,
                "username": "ada_l",
                "display_name": name,
                "email": email,
                "email_verified": verified,
            }
        )
        return user_id

    return create
