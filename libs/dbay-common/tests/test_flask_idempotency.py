"""Idempotency-Key for Flask on the real MongoDB-wire server (FerretDB)."""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pymongo.collection import Collection
from pymongo.database import Database

from dbay_common.flask import IdempotencyStore
from dbay_common.flask.idempotency import scope_hash
from dbay_common.request_body import body_fingerprint
from dbay_common.testing.plugin import JwksServer, RsaKeyPair, sign_token
from tests.flask_app import EXECUTIONS, PREFIX, build_app
from tests.tokens import tampered_token

URL = f"{PREFIX}/creations"


@pytest.fixture
def records(mongo_db: Database[dict[str, Any]]) -> Collection[dict[str, Any]]:
    return mongo_db["idempotency_records"]


@pytest.fixture
def store(records: Collection[dict[str, Any]]) -> IdempotencyStore:
    return IdempotencyStore(records)


@pytest.fixture
def app(served: JwksServer, store: IdempotencyStore) -> Iterator[Flask]:
    EXECUTIONS.reset()
    root = logging.getLogger()
    saved = list(root.handlers), root.level
    try:
        yield build_app(jwks_url=served.url, store=store)
    finally:
        root.handlers = saved[0]
        root.setLevel(saved[1])


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def post(
    client: FlaskClient, payload: dict[str, Any], key: str | None, url: str = URL, **headers: str
) -> Any:
    if key is not None:
        headers["Idempotency-Key"] = key
    return client.post(url, data=json.dumps(payload), content_type="application/json", headers=headers)


def new_key() -> str:
    return f"key-{uuid.uuid4()}"


def test_first_request_runs_and_repeat_replays(
    client: FlaskClient, records: Collection[dict[str, Any]]
) -> None:
    key = new_key()
    first = post(client, {"n": 1}, key)
    assert first.status_code == 201
    assert first.get_json() == {"execution": 1, "user": None}
    assert first.headers["Location"] == "/creations/1"
    assert "Idempotent-Replayed" not in first.headers

    [record] = list(records.find())
    assert record["scope"] == scope_hash(principal="anonymous", method="POST", path=URL, key=key)
    assert (record["principal"], record["method"], record["path"], record["key"]) == (
        "anonymous",
        "POST",
        URL,
        key,
    )
    assert (record["state"], record["status"], record["body"]) == ("completed", 201, first.data)

    second = post(client, {"n": 1}, key)
    assert second.status_code == 201
    assert second.data == first.data
    assert second.headers["Location"] == "/creations/1"
    assert second.headers["Content-Type"] == "application/json"
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.headers["X-Request-ID"] != first.headers["X-Request-ID"]
    assert EXECUTIONS.count == 1
    assert records.count_documents({}) == 1


def test_unique_index_exists(client: FlaskClient, records: Collection[dict[str, Any]]) -> None:
    post(client, {"n": 1}, new_key())
    indexes = records.index_information()
    assert indexes["dbay_idempotency_scope_unique"]["unique"] is True
    assert indexes["dbay_idempotency_scope_unique"]["key"] == [("scope", 1)]


def test_same_key_different_body_is_422(client: FlaskClient, records: Collection[dict[str, Any]]) -> None:
    key = new_key()
    post(client, {"n": 1}, key)
    before = records.find_one()
    reused = post(client, {"n": 2}, key)
    assert reused.status_code == 422
    assert reused.get_json() == {
        "error": {
            "type": "invalid_request",
            "code": "idempotency_key_reused",
            "message": "This Idempotency-Key was already used with a different request body.",
            "param": "Idempotency-Key",
        }
    }
    assert EXECUTIONS.count == 1
    assert records.find_one() == before


def test_twenty_concurrent_duplicates_execute_once(app: Flask, records: Collection[dict[str, Any]]) -> None:
    key = new_key()
    payload = {"n": 1, "sleep_s": 0.5}
    barrier = threading.Barrier(20)
    responses: list[Any] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def fire() -> None:
        try:
            client = app.test_client()
            barrier.wait()
            response = post(client, payload, key)
            with lock:
                responses.append(response)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=fire) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert len(responses) == 20
    assert EXECUTIONS.count == 1
    originals = [r for r in responses if r.status_code == 201 and "Idempotent-Replayed" not in r.headers]
    replays = [
        r for r in responses if r.status_code == 201 and r.headers.get("Idempotent-Replayed") == "true"
    ]
    in_progress = [r for r in responses if r.status_code == 409]
    assert len(originals) == 1
    assert len(replays) + len(in_progress) == 19
    assert len(in_progress) >= 1
    assert all(r.data == originals[0].data for r in replays)
    assert all(r.get_json()["error"]["code"] == "idempotency_request_in_progress" for r in in_progress)

    retry = post(app.test_client(), payload, key)
    assert retry.status_code == 201 and retry.headers["Idempotent-Replayed"] == "true"
    assert EXECUTIONS.count == 1
    assert records.count_documents({}) == 1


def test_server_error_releases_the_key(client: FlaskClient, records: Collection[dict[str, Any]]) -> None:
    key = new_key()
    failed = post(client, {"fail_first": 1}, key)
    assert failed.status_code == 500
    assert failed.get_json()["error"]["code"] == "internal_error"
    assert records.count_documents({}) == 0
    retried = post(client, {"fail_first": 1}, key)
    assert retried.status_code == 201
    assert retried.get_json()["execution"] == 2
    assert EXECUTIONS.count == 2
    assert records.find_one()["state"] == "completed"  # type: ignore[index]


@pytest.mark.parametrize("status", [401, 403, 429, 503])
def test_retryable_statuses_release_the_key(
    client: FlaskClient, records: Collection[dict[str, Any]], status: int
) -> None:
    key = new_key()
    assert post(client, {"status": status}, key).status_code == status
    assert records.count_documents({}) == 0
    assert post(client, {"status": status}, key).status_code == status
    assert EXECUTIONS.count == 2


def test_validation_errors_are_stored_and_replayed(
    client: FlaskClient, records: Collection[dict[str, Any]]
) -> None:
    key = new_key()
    first = post(client, {"n": "not a number"}, key)
    assert first.status_code == 400
    assert first.get_json()["error"]["param"] == "n"
    second = post(client, {"n": "not a number"}, key)
    assert second.status_code == 400 and second.headers["Idempotent-Replayed"] == "true"
    assert second.data == first.data
    assert EXECUTIONS.count == 0


def test_scoped_by_principal(
    client: FlaskClient, records: Collection[dict[str, Any]], rsa_keypair: RsaKeyPair
) -> None:
    key = new_key()
    alice = {"Authorization": f"Bearer {sign_token(rsa_keypair, sub='alice')}"}
    bob = {"Authorization": f"Bearer {sign_token(rsa_keypair, sub='bob')}"}
    url = f"{PREFIX}/protected-creations"
    assert post(client, {}, key, url=url, **alice).get_json() == {"execution": 1, "user": "alice"}
    assert post(client, {}, key, url=url, **bob).get_json() == {"execution": 2, "user": "bob"}
    replay = post(client, {}, key, url=url, **alice)
    assert replay.get_json() == {"execution": 1, "user": "alice"}
    assert replay.headers["Idempotent-Replayed"] == "true"
    forged = post(client, {}, key, url=url, Authorization=f"Bearer {tampered_token(rsa_keypair)}")
    assert forged.status_code == 401 and "Idempotent-Replayed" not in forged.headers
    assert EXECUTIONS.count == 2
    assert sorted(r["principal"] for r in records.find()) == ["alice", "bob"]


def test_without_key_every_request_runs(client: FlaskClient, records: Collection[dict[str, Any]]) -> None:
    post(client, {"n": 1}, None)
    post(client, {"n": 1}, None)
    assert EXECUTIONS.count == 2
    assert records.count_documents({}) == 0


@pytest.mark.parametrize("key", ["", "x" * 256])
def test_invalid_key_is_400(client: FlaskClient, records: Collection[dict[str, Any]], key: str) -> None:
    response = post(client, {"n": 1}, key)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_idempotency_key"
    assert EXECUTIONS.count == 0
    assert records.count_documents({}) == 0


def test_in_progress_record_is_409(
    client: FlaskClient, store: IdempotencyStore, records: Collection[dict[str, Any]]
) -> None:
    key = new_key()
    body = json.dumps({"n": 1}).encode()
    claim = store.claim(
        principal="anonymous",
        method="POST",
        path=URL,
        key=key,
        fingerprint=body_fingerprint(body, "application/json"),
    )
    assert claim.claim_token is not None
    response = post(client, {"n": 1}, key)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "idempotency_request_in_progress"
    assert EXECUTIONS.count == 0
    assert records.find_one()["state"] == "in_progress"  # type: ignore[index]


def test_stale_claim_taken_over_and_late_owner_ignored(
    client: FlaskClient, store: IdempotencyStore, records: Collection[dict[str, Any]]
) -> None:
    key = new_key()
    fingerprint = body_fingerprint(json.dumps({"n": 1}).encode(), "application/json")
    stale = store.claim(principal="anonymous", method="POST", path=URL, key=key, fingerprint=fingerprint)
    assert stale.claim_token is not None
    records.update_one({}, {"$set": {"locked_at": datetime.now(UTC) - timedelta(minutes=10)}})
    taken = post(client, {"n": 1}, key)
    assert taken.status_code == 201 and "Idempotent-Replayed" not in taken.headers
    # The original owner finishing late must not overwrite or release the new outcome.
    store.release(scope=stale.scope, claim_token=stale.claim_token)
    store.complete(scope=stale.scope, claim_token=stale.claim_token, status=500, headers=[], body=b"late")
    record = records.find_one()
    assert record is not None and (record["state"], record["status"], record["body"]) == (
        "completed",
        201,
        taken.data,
    )


def test_concurrent_takeovers_of_a_stale_claim_leave_exactly_one_owner(
    store: IdempotencyStore, records: Collection[dict[str, Any]]
) -> None:
    key = new_key()
    fingerprint = body_fingerprint(json.dumps({"n": 1}).encode(), "application/json")
    store.claim(principal="anonymous", method="POST", path=URL, key=key, fingerprint=fingerprint)
    records.update_one({}, {"$set": {"locked_at": datetime.now(UTC) - timedelta(minutes=10)}})
    barrier = threading.Barrier(12)

    def take_over() -> bool:
        barrier.wait()
        claim = store.claim(principal="anonymous", method="POST", path=URL, key=key, fingerprint=fingerprint)
        return claim.claim_token is not None

    with ThreadPoolExecutor(max_workers=12) as pool:
        owners = [future.result() for future in [pool.submit(take_over) for _ in range(12)]]

    assert owners.count(True) == 1
    assert records.count_documents({}) == 1


def test_expired_record_is_ignored_and_purged(
    client: FlaskClient, store: IdempotencyStore, records: Collection[dict[str, Any]]
) -> None:
    old_key, fresh_key = new_key(), new_key()
    post(client, {"n": 1}, old_key)
    post(client, {"n": 1}, fresh_key)
    records.update_one({"key": old_key}, {"$set": {"created_at": datetime.now(UTC) - timedelta(hours=25)}})
    again = post(client, {"n": 2}, old_key)
    assert again.status_code == 201 and "Idempotent-Replayed" not in again.headers
    assert EXECUTIONS.count == 3
    records.update_one({"key": old_key}, {"$set": {"created_at": datetime.now(UTC) - timedelta(hours=25)}})
    assert store.purge(older_than=timedelta(hours=24)) == 1
    assert [r["key"] for r in records.find()] == [fresh_key]
    with pytest.raises(ValueError, match="aware"):
        store.purge(older_than=datetime(2020, 1, 1))


def test_missing_store_is_a_logged_500(served: JwksServer) -> None:
    EXECUTIONS.reset()
    root = logging.getLogger()
    saved = list(root.handlers)
    try:
        app = build_app(jwks_url=served.url)
    finally:
        root.handlers = saved
    response = post(app.test_client(), {"n": 1}, new_key())
    assert response.status_code == 500
    assert response.get_json()["error"]["code"] == "internal_error"
    assert EXECUTIONS.count == 0
