"""The store fixtures isolate and clean up (checked against the real servers)."""

from __future__ import annotations

import socket
from typing import Any

import psycopg
import pytest
import redis
import requests

from dbay_common.testing.plugin import REDIS_TEST_DBS, delete_es_indices


def test_postgres_dsn_is_a_fresh_database(postgres_dsn: str) -> None:
    assert "/dbay_test_" in postgres_dsn
    with psycopg.connect(postgres_dsn) as connection:
        tables = connection.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()
    assert tables == (0,)


def test_redis_url_uses_a_test_db(redis_url: str, redis_key_prefix: str) -> None:
    assert int(redis_url.rsplit("/", 1)[1]) in REDIS_TEST_DBS
    client = redis.Redis.from_url(redis_url)
    try:
        client.set(f"{redis_key_prefix}k", "v", ex=60)
        assert client.get(f"{redis_key_prefix}k") == b"v"
    finally:
        client.close()


def test_es_indices_with_the_prefix_are_deleted(elasticsearch_url: str, es_index_prefix: str) -> None:
    for suffix in ("a", "b"):
        requests.put(f"{elasticsearch_url}/{es_index_prefix}{suffix}", timeout=30).raise_for_status()
    assert delete_es_indices(elasticsearch_url, es_index_prefix) == [
        f"{es_index_prefix}a",
        f"{es_index_prefix}b",
    ]
    assert (
        requests.get(f"{elasticsearch_url}/_cat/indices/{es_index_prefix}*?format=json", timeout=10).json()
        == []
    )


def test_mongo_db_is_unique_and_usable(mongo_db: Any, mongo_client: Any) -> None:
    assert mongo_db.name.startswith("test_")
    mongo_db["things"].insert_one({"n": 1})
    assert mongo_db["things"].count_documents({}) == 1
    assert mongo_db.name in mongo_client.list_database_names()


def test_closed_port_refuses_connections(closed_port: int) -> None:
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", closed_port), timeout=1.0)


def test_event_fixtures_are_registered_by_the_plugin(pytestconfig: pytest.Config) -> None:
    manager = pytestconfig.pluginmanager
    assert manager.get_plugin("dbay_common.testing.events") is not None
    assert manager.get_plugin("dbay_common.testing.aws") is not None
