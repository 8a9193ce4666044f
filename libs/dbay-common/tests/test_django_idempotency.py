"""Idempotency-Key middleware on the real PostgreSQL: replay, reuse, concurrency, release, expiry."""

from __future__ import annotations

import json
import threading
import uuid
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from django.db import connections
from django.test import Client
from django.utils import timezone

from dbay_common.django.idempotency import idempotency_records_purge
from dbay_common.django.idempotency.models import IdempotencyRecord
from dbay_common.testing.plugin import JwksServer, RsaKeyPair, sign_token
from tests.django_views import EXECUTIONS

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/api/things"


@pytest.fixture(autouse=True)
def reset_counter() -> None:
    EXECUTIONS.reset()


def post(client: Client, payload: dict[str, Any], key: str | None, url: str = URL, **headers: str) -> Any:
    if key is not None:
        headers["Idempotency-Key"] = key
    return client.post(url, data=json.dumps(payload), content_type="application/json", headers=headers)


def new_key() -> str:
    return f"key-{uuid.uuid4()}"


def test_first_request_runs_and_repeat_replays(client: Client) -> None:
    key = new_key()
    first = post(client, {"n": 1}, key)
    assert first.status_code == 201
    assert first.json() == {"execution": 1, "user": None}
    assert first["Location"] == "/things/1"
    assert "Idempotent-Replayed" not in first

    record = IdempotencyRecord.objects.get()
    assert (record.principal, record.method, record.path, record.key) == ("anonymous", "POST", URL, key)
    assert record.state == "completed"
    assert record.response_status == 201
    assert bytes(record.response_body) == first.content  # type: ignore[arg-type]

    second = post(client, {"n": 1}, key)
    assert second.status_code == 201
    assert second.content == first.content
    assert second["Location"] == "/things/1"
    assert second["Content-Type"] == "application/json"
    assert second["Idempotent-Replayed"] == "true"
    # The replay has its own request id, not the stored one.
    assert second["X-Request-ID"] != first["X-Request-ID"]
    assert EXECUTIONS.count == 1
    assert IdempotencyRecord.objects.count() == 1


def test_same_key_different_body_is_422(client: Client) -> None:
    key = new_key()
    first = post(client, {"n": 1}, key)
    stored = IdempotencyRecord.objects.get()
    reused = post(client, {"n": 2}, key)
    assert reused.status_code == 422
    assert reused.json() == {
        "error": {
            "type": "invalid_request",
            "code": "idempotency_key_reused",
            "message": "This Idempotency-Key was already used with a different request body.",
            "param": "Idempotency-Key",
        }
    }
    assert EXECUTIONS.count == 1
    after = IdempotencyRecord.objects.get()
    assert (after.request_fingerprint, bytes(after.response_body)) == (  # type: ignore[arg-type]
        stored.request_fingerprint,
        first.content,
    )


def test_twenty_concurrent_duplicates_execute_once(transactional_db: None) -> None:
    key = new_key()
    payload = {"n": 1, "sleep_s": 0.5}
    barrier = threading.Barrier(20)
    responses: list[Any] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def fire() -> None:
        try:
            client = Client()
            barrier.wait()
            response = post(client, payload, key)
            with lock:
                responses.append(response)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=fire) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert len(responses) == 20
    assert EXECUTIONS.count == 1
    originals = [r for r in responses if r.status_code == 201 and "Idempotent-Replayed" not in r]
    replays = [r for r in responses if r.status_code == 201 and r.get("Idempotent-Replayed") == "true"]
    in_progress = [r for r in responses if r.status_code == 409]
    assert len(originals) == 1
    assert len(replays) + len(in_progress) == 19
    assert len(in_progress) >= 1  # the duplicates really overlapped the first execution
    assert all(r.content == originals[0].content for r in replays)
    assert all(r.json()["error"]["code"] == "idempotency_request_in_progress" for r in in_progress)
    assert Counter(r.status_code for r in responses).keys() <= {201, 409}

    # Once the first has finished, every retry is a replay and nothing runs again.
    retry = post(Client(), payload, key)
    assert retry.status_code == 201 and retry["Idempotent-Replayed"] == "true"
    assert retry.content == originals[0].content
    assert EXECUTIONS.count == 1
    assert IdempotencyRecord.objects.count() == 1


def test_server_error_releases_the_key(client: Client) -> None:
    key = new_key()
    crash_client = Client(raise_request_exception=False)
    failed = post(crash_client, {"fail_first": 1}, key)
    assert failed.status_code == 500
    assert failed.json()["error"]["code"] == "internal_error"
    assert IdempotencyRecord.objects.count() == 0

    retried = post(client, {"fail_first": 1}, key)
    assert retried.status_code == 201
    assert retried.json()["execution"] == 2
    assert "Idempotent-Replayed" not in retried
    assert EXECUTIONS.count == 2
    assert IdempotencyRecord.objects.get().state == "completed"


@pytest.mark.parametrize("status", [401, 403, 429, 503])
def test_retryable_statuses_release_the_key(client: Client, status: int) -> None:
    key = new_key()
    assert post(client, {"status": status}, key).status_code == status
    assert IdempotencyRecord.objects.count() == 0
    assert post(client, {"status": status}, key).status_code == status
    assert EXECUTIONS.count == 2


def test_client_errors_are_stored_and_replayed(client: Client) -> None:
    key = new_key()
    first = post(client, {"status": 400}, key)
    second = post(client, {"status": 400}, key)
    assert (first.status_code, second.status_code) == (400, 400)
    assert second["Idempotent-Replayed"] == "true"
    assert EXECUTIONS.count == 1


def test_keys_are_scoped_by_principal_and_path(
    client: Client, django_jwt: JwksServer, rsa_keypair: RsaKeyPair
) -> None:
    key = new_key()
    alice = {"Authorization": f"Bearer {sign_token(rsa_keypair, sub='alice')}"}
    bob = {"Authorization": f"Bearer {sign_token(rsa_keypair, sub='bob')}"}
    assert post(client, {"n": 1}, key, **alice).json() == {"execution": 1, "user": "alice"}
    assert post(client, {"n": 1}, key, **bob).json() == {"execution": 2, "user": "bob"}
    assert post(client, {"n": 1}, key).json() == {"execution": 3, "user": None}
    replay = post(client, {"n": 1}, key, **alice)
    assert replay.json() == {"execution": 1, "user": "alice"} and replay["Idempotent-Replayed"] == "true"
    assert EXECUTIONS.count == 3
    assert sorted(IdempotencyRecord.objects.values_list("principal", flat=True)) == [
        "alice",
        "anonymous",
        "bob",
    ]


def test_forged_subject_does_not_reach_another_users_record(
    client: Client, django_jwt: JwksServer, rsa_keypair: RsaKeyPair
) -> None:
    from tests.tokens import tampered_token

    key = new_key()
    post(client, {"n": 1}, key, Authorization=f"Bearer {sign_token(rsa_keypair, sub='admin')}")
    forged = post(client, {"n": 1}, key, Authorization=f"Bearer {tampered_token(rsa_keypair)}")
    assert forged.status_code == 401  # not a replay of admin's response
    assert "Idempotent-Replayed" not in forged
    assert EXECUTIONS.count == 1


def test_without_key_every_request_runs(client: Client) -> None:
    post(client, {"n": 1}, None)
    post(client, {"n": 1}, None)
    assert EXECUTIONS.count == 2
    assert IdempotencyRecord.objects.count() == 0


def test_exempt_view_ignores_the_key(client: Client) -> None:
    key = new_key()
    post(client, {"n": 1}, key, url="/api/exempt-things")
    second = post(client, {"n": 1}, key, url="/api/exempt-things")
    assert "Idempotent-Replayed" not in second
    assert EXECUTIONS.count == 2
    assert IdempotencyRecord.objects.count() == 0


@pytest.mark.parametrize("key", ["", "x" * 256, "bad\x01key"])
def test_invalid_key_is_400(client: Client, key: str) -> None:
    response = post(client, {"n": 1}, key)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_idempotency_key"
    assert response.json()["error"]["param"] == "Idempotency-Key"
    assert EXECUTIONS.count == 0
    assert IdempotencyRecord.objects.count() == 0


def test_unknown_route_creates_no_record(client: Client) -> None:
    assert post(client, {"n": 1}, new_key(), url="/api/nowhere").status_code == 404
    assert IdempotencyRecord.objects.count() == 0


def test_in_progress_record_is_409(client: Client) -> None:
    from dbay_common.request_body import body_fingerprint

    key = new_key()
    body = json.dumps({"n": 1}).encode()
    IdempotencyRecord.objects.create(
        principal="anonymous",
        method="POST",
        path=URL,
        key=key,
        request_fingerprint=body_fingerprint(body, "application/json"),
    )
    response = post(client, {"n": 1}, key)
    assert response.status_code == 409
    assert response.json() == {
        "error": {
            "type": "conflict",
            "code": "idempotency_request_in_progress",
            "message": "A request with this Idempotency-Key is still being processed; retry shortly.",
        }
    }
    assert EXECUTIONS.count == 0
    assert IdempotencyRecord.objects.get().state == "in_progress"


def test_stale_in_progress_claim_is_taken_over(client: Client) -> None:
    key = new_key()
    post(client, {"n": 1}, key)
    IdempotencyRecord.objects.update(
        state="in_progress", response_status=None, locked_at=timezone.now() - timedelta(minutes=10)
    )
    assert post(client, {"n": 2}, key).status_code == 422  # another body never takes a claim over
    taken = post(client, {"n": 1}, key)
    assert taken.status_code == 201 and "Idempotent-Replayed" not in taken
    assert EXECUTIONS.count == 2
    assert IdempotencyRecord.objects.get().state == "completed"


def test_expired_record_is_ignored_and_purged(client: Client) -> None:
    old_key, fresh_key = new_key(), new_key()
    post(client, {"n": 1}, old_key)
    post(client, {"n": 1}, fresh_key)
    IdempotencyRecord.objects.filter(key=old_key).update(created_at=timezone.now() - timedelta(hours=25))

    # Past the 24 h TTL a key behaves as new, even before the purge ran.
    again = post(client, {"n": 2}, old_key)
    assert again.status_code == 201 and "Idempotent-Replayed" not in again
    assert EXECUTIONS.count == 3

    IdempotencyRecord.objects.filter(key=old_key).update(created_at=timezone.now() - timedelta(hours=25))
    assert idempotency_records_purge(older_than=timedelta(hours=24)) == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == [fresh_key]
    assert idempotency_records_purge(older_than=timezone.now() - timedelta(hours=24)) == 0
    with pytest.raises(ValueError, match="aware"):
        idempotency_records_purge(older_than=timezone.now().replace(tzinfo=None))
