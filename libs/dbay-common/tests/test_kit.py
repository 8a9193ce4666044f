"""The pieces every service uses once: ``publish``, event context, ``enqueue_on_commit``, periodic
jobs, the user-id accessor and the per-run test database."""

from __future__ import annotations

import re
import sys
import types
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from django.conf import settings as django_settings
from django.db import connection, transaction
from flask import Flask
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from dbay_common.django import celery as dbay_celery
from dbay_common.django.events import publish
from dbay_common.django.outbox import OutboxNotInTransactionError
from dbay_common.django.outbox.models import OutboxEvent
from dbay_common.drf.authentication import TokenUser, request_user_id
from dbay_common.errors import ApiError, AuthenticationFailed
from dbay_common.events import Event
from dbay_common.events.context import causation_id_var, handling_event, new_event
from dbay_common.flask import register_error_handlers
from dbay_common.flask import request_user_id as flask_request_user_id
from dbay_common.logging import correlation_id_var
from dbay_common.schedules import PeriodicJob, load_jobs
from dbay_common.testing.events import EventStreamNames
from dbay_common.transports.redis_streams import RedisStreamsPublisher
from dbay_common.transports.runner import run_consumer

USER = uuid.UUID("6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f")


@pytest.fixture
def correlation() -> Iterator[str]:
    token = correlation_id_var.set("req-abc")
    yield "req-abc"
    correlation_id_var.reset(token)


# -- event context ------------------------------------------------------------------------------------


def test_new_event_takes_the_request_correlation_id_and_no_cause(correlation: str) -> None:
    event = new_event(source="dbay.test", producer="test-service", detail_type="thing.happened", data={})

    assert event.metadata.correlation_id == "req-abc"
    assert event.metadata.causation_id is None
    assert event.metadata.producer == "test-service"


def test_events_published_while_handling_an_event_name_it_as_cause(correlation: str) -> None:
    handled = Event.new(source="dbay.auction", detail_type="bid.placed", data={}, correlation_id="checkout-1")

    with handling_event(handled):
        follow_up = new_event(
            source="dbay.order", producer="order-service", detail_type="order.noted", data={}
        )

    assert follow_up.metadata.correlation_id == "checkout-1"
    assert follow_up.metadata.causation_id == handled.event_id
    # The context is restored afterwards.
    assert correlation_id_var.get() == "req-abc"
    assert causation_id_var.get() is None


def test_an_event_without_correlation_starts_a_chain_named_after_itself() -> None:
    handled = Event.new(source="dbay.auction", detail_type="bid.placed", data={})

    with handling_event(handled):
        follow_up = new_event(
            source="dbay.order", producer="order-service", detail_type="order.noted", data={}
        )

    assert follow_up.metadata.correlation_id == handled.event_id
    assert follow_up.metadata.causation_id == handled.event_id


def test_the_consumer_runner_handles_each_event_in_its_context(
    event_bus_env: EventStreamNames, events_redis_url: str, events_redis: redis.Redis
) -> None:
    caused: list[Event] = []
    first = Event.new(source="dbay.auction", detail_type="bid.placed", data={}, correlation_id="c-1")
    second = Event.new(source="dbay.auction", detail_type="bid.placed", data={}, correlation_id="c-2")
    RedisStreamsPublisher(redis_url=events_redis_url, stream=event_bus_env.stream).publish([first, second])

    def on_bid(event: Event) -> None:
        caused.append(new_event(source="dbay.order", producer="o", detail_type="order.noted", data={}))

    run_consumer(group="kit-test", handlers={"bid.placed": on_bid}, max_batches=1, block_ms=50)

    assert [(e.metadata.correlation_id, e.metadata.causation_id) for e in caused] == [
        ("c-1", first.event_id),
        ("c-2", second.event_id),
    ]


# -- publish ------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_publish_writes_the_outbox_row_with_this_service_identity(
    correlation: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    relays: list[str] = []
    monkeypatch.setattr(dbay_celery, "enqueue_now", lambda task: relays.append(task.name))

    with transaction.atomic():
        event = publish("thing.happened", {"n": 1})
        assert relays == []  # nothing is queued before the commit

    row = OutboxEvent.objects.get()
    assert row.event_id == uuid.UUID(event.event_id)
    assert row.source == django_settings.DBAY_EVENT_SOURCE == "dbay.dbay-common"
    assert row.payload["detail"]["metadata"]["producer"] == "dbay-common"
    assert row.payload["detail"]["metadata"]["correlation_id"] == "req-abc"
    assert row.payload["detail"]["data"] == {"n": 1}
    assert relays == [dbay_celery.RELAY_TASK_NAME]


@pytest.mark.django_db(transaction=True)
def test_publish_outside_a_transaction_refuses_and_writes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    relays: list[str] = []
    monkeypatch.setattr(dbay_celery, "enqueue_now", lambda task: relays.append(task.name))

    with pytest.raises(OutboxNotInTransactionError):
        publish("thing.happened", {})

    assert OutboxEvent.objects.count() == 0
    assert relays == []


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_publishes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    relays: list[str] = []
    monkeypatch.setattr(dbay_celery, "enqueue_now", lambda task: relays.append(task.name))

    with pytest.raises(RuntimeError), transaction.atomic():
        publish("thing.happened", {})
        raise RuntimeError("the change failed")

    assert OutboxEvent.objects.count() == 0
    assert relays == []


# -- enqueue_on_commit --------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_enqueue_on_commit_queues_after_commit_with_the_arguments(monkeypatch: pytest.MonkeyPatch) -> None:
    queued: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []
    monkeypatch.setattr(
        dbay_celery, "enqueue_now", lambda task, *args, **kwargs: queued.append((task.name, args, kwargs))
    )

    with transaction.atomic():
        dbay_celery.enqueue_on_commit(dbay_celery.relay_outbox_task, "a", 2, flag=True)
        assert queued == []

    assert queued == [(dbay_celery.RELAY_TASK_NAME, ("a", 2), {"flag": True})]


@pytest.mark.django_db(transaction=True)
def test_enqueue_on_commit_drops_the_task_on_rollback(monkeypatch: pytest.MonkeyPatch) -> None:
    queued: list[str] = []
    monkeypatch.setattr(dbay_celery, "enqueue_now", lambda task, *a, **k: queued.append(task.name))

    with pytest.raises(RuntimeError), transaction.atomic():
        dbay_celery.enqueue_on_commit(dbay_celery.relay_outbox_task)
        raise RuntimeError("rolled back")

    assert queued == []


# -- periodic jobs ------------------------------------------------------------------------------------


@pytest.fixture
def schedules_module() -> Iterator[str]:
    name = f"kit_schedules_{uuid.uuid4().hex[:8]}"
    module = types.ModuleType(name)
    module.JOBS = (  # type: ignore[attr-defined]
        PeriodicJob(task="kit.sweep", every_s=30, expires_s=30),
        PeriodicJob(task="kit.nightly", cron="15 2 * * 1"),
    )
    sys.modules[name] = module
    yield name
    del sys.modules[name]


def test_create_celery_app_registers_library_and_service_jobs(schedules_module: str) -> None:
    app = dbay_celery.create_celery_app(
        "kit-service", settings_module="unused.settings", schedules_module=schedules_module
    )

    schedule = app.conf.beat_schedule
    assert sorted(schedule) == sorted(
        [dbay_celery.RELAY_TASK_NAME, dbay_celery.PURGE_TASK_NAME, "kit.sweep", "kit.nightly"]
    )
    assert schedule["kit.sweep"]["schedule"] == 30
    assert schedule["kit.sweep"]["options"]["expires"] == 30
    nightly = schedule["kit.nightly"]["schedule"]
    assert (nightly.minute, nightly.hour, nightly.day_of_week) == ({15}, {2}, {1})


def test_a_service_without_a_schedules_module_runs_only_the_library_jobs() -> None:
    assert load_jobs("no_such_package_kit.schedules") == ()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "exactly one"),
        ({"every_s": 5, "cron": "* * * * *"}, "exactly one"),
        ({"every_s": 0}, "positive"),
        ({"cron": "* * *"}, "five fields"),
    ],
)
def test_periodic_job_refuses_an_ambiguous_or_broken_schedule(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        PeriodicJob(task="kit.bad", **kwargs)


def test_load_jobs_refuses_a_task_listed_twice(schedules_module: str) -> None:
    module = sys.modules[schedules_module]
    module.JOBS = (PeriodicJob(task="kit.a", every_s=1), PeriodicJob(task="kit.a", every_s=2))  # type: ignore[attr-defined]

    with pytest.raises(ValueError, match=r"kit\.a more than once"):
        load_jobs(schedules_module)


# -- the user-id accessor -----------------------------------------------------------------------------


def _drf_request(user: Any) -> Request:
    request = Request(APIRequestFactory().get("/"))
    request.user = user
    return request


def test_drf_request_user_id_returns_the_subject_as_uuid() -> None:
    assert request_user_id(_drf_request(TokenUser({"sub": str(USER)}))) == USER


@pytest.mark.parametrize(
    "user",
    [None, TokenUser({"sub": "svc:auction-service"}), TokenUser({"sub": ""})],
    ids=["anonymous", "service-subject", "empty-subject"],
)
def test_drf_request_user_id_fails_with_one_401(user: Any) -> None:
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(AuthenticationFailed) as caught:
        request_user_id(_drf_request(user or AnonymousUser()))

    assert (caught.value.status, caught.value.code) == (401, "not_authenticated")


def test_flask_request_user_id_answers_401_in_the_shared_shape() -> None:
    app = Flask(__name__)
    register_error_handlers(app)

    @app.get("/who")
    def who() -> dict[str, str]:
        from flask import g

        g.claims = {"sub": "not-a-uuid"}
        return {"user_id": str(flask_request_user_id())}

    @app.get("/me")
    def me() -> dict[str, str]:
        from flask import g

        g.claims = {"sub": str(USER)}
        return {"user_id": str(flask_request_user_id())}

    client = app.test_client()
    refused = client.get("/who")
    assert refused.status_code == 401
    assert refused.get_json() == {
        "error": {
            "type": "authentication_error",
            "code": "not_authenticated",
            "message": "Sign in to continue.",
        }
    }
    assert client.get("/me").get_json() == {"user_id": str(USER)}


def test_api_errors_of_the_accessor_are_api_errors() -> None:
    assert issubclass(AuthenticationFailed, ApiError)


# -- the test database --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_test_database_is_unique_to_this_run() -> None:
    # pytest-xdist workers add "_gw<n>" to the per-run name.
    name = connection.settings_dict["NAME"]
    assert re.fullmatch(r"test_dbay_common_tests_[0-9a-f]{10}(_gw\d+)?", name), name


# -- the public and internal OpenAPI documents ---------------------------------------------------------


def test_internal_routes_stay_out_of_the_public_document(monkeypatch: pytest.MonkeyPatch) -> None:
    from dbay_common.drf.schema import preprocess_audience

    endpoints: list[tuple[str, str, str, Any]] = [
        ("/api/v1/wallet/balance", "", "GET", None),
        ("/api/v1/wallet/internal/holds", "", "POST", None),
    ]

    monkeypatch.delenv("DBAY_OPENAPI_AUDIENCE", raising=False)
    assert [path for path, *_ in preprocess_audience(endpoints)] == ["/api/v1/wallet/balance"]
    monkeypatch.setenv("DBAY_OPENAPI_AUDIENCE", "internal")
    assert [path for path, *_ in preprocess_audience(endpoints)] == ["/api/v1/wallet/internal/holds"]
