"""The contract every dBay service keeps, as test classes a service's suite subclasses.

Each service's ``tests/test_contract.py`` declares what differs and inherits the tests::

    from dbay_common.testing.contracts import DatabaseOnPort, DjangoServiceContract, SettingOnPort

    class TestAuctionServiceContract(DjangoServiceContract):
        service = "auction-service"
        public_path = "/api/v1/auctions/"
        stores = {
            "postgres": DatabaseOnPort(),
            "redis": SettingOnPort("REDIS_URL", "redis://127.0.0.1:{port}/2"),
        }

The tests check, against the real stores:

* ``GET /health`` is 200 and reports exactly the named checks, all ``ok``;
* with one store pointed at a port that refuses connections, ``GET /health`` is 503, that check is
  ``error`` and every other check is still reported ``ok`` (one test per store);
* ``GET /health/live`` is 200 with every store down;
* the API index at the public path names the service, its version and where its docs are;
* an unknown path under the public path is a JSON 404 in the error shape;
* the OpenAPI document is served, and equals the committed ``docs/api-contracts/<service>.yaml``,
  which in turn matches what ``scripts/openapi.py`` generates from the code (drift);
* Swagger UI is served at ``<public path>/docs/`` with its assets from the service itself (no CDN);
* the event consumer (``manage.py consume_events``, or a Flask service's ``worker.run``) reads the
  bus as the service's group, hands each event to the handler of its type, acknowledges types it
  does not handle, and leaves an event whose handler failed pending;
* Django only: the settings point at the service's event handlers, the Celery app uses the
  service's Redis and schedules the outbox relay and the daily Idempotency-Key purge, and every
  model change has its migration (``makemigrations --check``).

Django contracts use pytest-django's ``client`` and ``settings`` fixtures; Flask contracts use the
service's ``app`` fixture (its ``conftest.py``), whose ``app.config`` the checks read per request.
A Flask service with an event worker adds :class:`FlaskWorkerContract` to the bases and names its
``worker`` module.
"""

from __future__ import annotations

import importlib
import inspect
import json
import re
import subprocess
import sys
import uuid
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

import pytest
import yaml

from dbay_common.events.envelope import Event
from dbay_common.openapi import API_CONVENTIONS
from dbay_common.transports.base import EventHandler, build_publisher_from_env

if TYPE_CHECKING:
    import redis
    from django.test import Client
    from flask import Flask
    from pytest_django.fixtures import Settings

__all__ = [
    "DatabaseOnPort",
    "DjangoServiceContract",
    "EventConsumerContract",
    "FlaskServiceContract",
    "FlaskWorkerContract",
    "Reply",
    "SettingOnPort",
    "StoreOnPort",
]

OPENAPI_SCRIPT = Path("scripts") / "openapi.py"
CONTRACTS_DIR = Path("docs") / "api-contracts"


@dataclass(frozen=True)
class SettingOnPort:
    """Break a store by setting ``name`` (a Django setting or a Flask config key) to ``url``.

    ``url`` contains ``{port}``, replaced by a port that refuses connections.
    """

    name: str
    url: str


@dataclass(frozen=True)
class DatabaseOnPort:
    """Break a Django database by moving ``DATABASES[alias]`` to a port that refuses connections."""

    alias: str = "default"


StoreOnPort = SettingOnPort | DatabaseOnPort


@dataclass(frozen=True)
class Reply:
    """The parts of an HTTP response the contract looks at, whichever framework produced it."""

    status: int
    content_type: str
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class ServiceClient(Protocol):
    def get(self, path: str) -> Reply: ...

    def break_store(self, store: StoreOnPort, port: int) -> None: ...


def repository_root(start: Path) -> Path:
    """The monorepo root above ``start``: the first parent holding ``scripts/openapi.py``."""
    for directory in start.resolve().parents:
        if (directory / OPENAPI_SCRIPT).is_file():
            return directory
    raise RuntimeError(f"no parent of {start} contains {OPENAPI_SCRIPT}")


class ServiceContract:
    """The tests shared by both frameworks; subclass :class:`DjangoServiceContract` or
    :class:`FlaskServiceContract`, not this. Each provides the ``service_client`` fixture."""

    #: The distribution name, as in ``pyproject.toml`` and ``DBAY_SERVICE`` (``"auction-service"``).
    service: ClassVar[str]
    #: Where the gateway routes the service's public API (``"/api/v1/auctions/"``).
    public_path: ClassVar[str]
    #: The health checks, by name, and how to make each one fail.
    stores: ClassVar[Mapping[str, StoreOnPort]]

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        """One ``store``-parametrized test per declared store."""
        if "store" in metafunc.fixturenames:
            metafunc.parametrize("store", list(self.stores))

    # -- paths ----------------------------------------------------------------------------------------
    def api_url(self, suffix: str) -> str:
        """``suffix`` under the public path (``"openapi.json"`` → ``/api/v1/auctions/openapi.json``)."""
        return f"{self.public_path.rstrip('/')}/{suffix}"

    def committed_openapi_document(self) -> Any:
        root = repository_root(Path(inspect.getfile(type(self))))
        return yaml.safe_load((root / CONTRACTS_DIR / f"{self.service}.yaml").read_text())

    # -- health ---------------------------------------------------------------------------------------
    def test_health_is_200_when_every_store_answers(self, service_client: ServiceClient) -> None:
        reply = service_client.get("/health")

        assert reply.status == 200
        body = reply.json()
        assert body["status"] == "ok"
        assert body["service"] == self.service
        assert {name: check["status"] for name, check in body["checks"].items()} == {
            name: "ok" for name in self.stores
        }
        assert all(check["latency_ms"] >= 0 for check in body["checks"].values())

    def test_health_is_503_and_names_the_store_that_is_down(
        self, store: str, service_client: ServiceClient, closed_port: int
    ) -> None:
        service_client.break_store(self.stores[store], closed_port)

        reply = service_client.get("/health")

        assert reply.status == 503
        body = reply.json()
        assert body["status"] == "unavailable"
        assert body["service"] == self.service
        assert set(body["checks"][store]) == {"status", "error"}
        assert body["checks"][store]["status"] == "error"
        assert body["checks"][store]["error"]
        assert {name: check["status"] for name, check in body["checks"].items() if name != store} == {
            name: "ok" for name in self.stores if name != store
        }

    def test_health_live_is_200_without_touching_the_stores(
        self, service_client: ServiceClient, closed_port: int
    ) -> None:
        for store in self.stores.values():
            service_client.break_store(store, closed_port)

        reply = service_client.get("/health/live")

        assert reply.status == 200
        assert reply.json() == {"status": "ok"}

    # -- public API -----------------------------------------------------------------------------------
    def test_index_names_the_service_and_its_documentation(self, service_client: ServiceClient) -> None:
        reply = service_client.get(self.public_path)

        assert reply.status == 200
        assert reply.json() == {
            "service": self.service,
            "version": version(self.service),
            "openapi_url": self.api_url("openapi.json"),
            "docs_url": self.api_url("docs/"),
        }

    def test_unknown_path_is_a_json_404_in_the_error_shape(self, service_client: ServiceClient) -> None:
        path = self.api_url("no-such-thing")

        reply = service_client.get(path)

        assert reply.status == 404
        assert reply.content_type == "application/json"
        assert reply.json() == {
            "error": {
                "type": "not_found",
                "code": "not_found",
                "message": f"Unrecognized request URL (GET: {path}).",
            }
        }

    # -- OpenAPI --------------------------------------------------------------------------------------
    def test_openapi_document_is_served_as_committed(self, service_client: ServiceClient) -> None:
        reply = service_client.get(self.api_url("openapi.json"))

        assert reply.status == 200
        document = reply.json()
        assert document["info"] == {
            "title": f"dBay {self.service}",
            "version": "1.0.0",
            "description": API_CONVENTIONS,
        }
        assert self.public_path in document["paths"]
        assert document == self.committed_openapi_document()

    def test_committed_openapi_document_matches_the_code(self) -> None:
        root = repository_root(Path(inspect.getfile(type(self))))
        result = subprocess.run(  # noqa: S603 - fixed argv, no shell
            [sys.executable, str(root / OPENAPI_SCRIPT), "--check", "--service", self.service],
            capture_output=True,
            text=True,
            check=False,
        )

        assert result.returncode == 0, (
            f"{CONTRACTS_DIR / self.service}.yaml is out of date; regenerate it with "
            f"`uv run python {OPENAPI_SCRIPT} --service {self.service}` from the repo root.\n"
            + result.stdout
            + result.stderr
        )

    def test_swagger_ui_is_served_with_its_assets_from_the_service(
        self, service_client: ServiceClient
    ) -> None:
        reply = service_client.get(self.api_url("docs/"))

        assert reply.status == 200
        assert reply.content_type == "text/html; charset=utf-8"
        page = reply.body.decode()
        assert f'"{self.api_url("openapi.json")}"' in page
        assets = re.findall(r'(?:href|src)="([^"]+)"', page)
        assert {asset.rsplit("/", 1)[-1] for asset in assets} >= {
            "swagger-ui.css",
            "swagger-ui-bundle.js",
            "swagger-ui-standalone-preset.js",
        }
        for asset in assets:
            # Served by the service under its public path, so it works offline and behind the gateway.
            assert asset.startswith(self.api_url("")), asset
            assert service_client.get(asset).status == 200, asset


class EventConsumerContract:
    """The event consumer's tests, against the real bus (``event_bus_env``: a stream of its own).

    Subclasses provide the ``consumer_handlers`` fixture (the mapping the consumer reads, which the
    tests extend for their duration) and :meth:`consume_once`.
    """

    service: ClassVar[str]
    #: The detail types the service handles today (``set(HANDLERS)``).
    handled_event_types: ClassVar[frozenset[str]] = frozenset()

    def consume_once(self) -> None:  # pragma: no cover - each subclass overrides it
        raise NotImplementedError

    def service_redis_url(self) -> str:  # pragma: no cover - each subclass overrides it
        raise NotImplementedError

    def test_consumer_lists_revoked_sessions_in_this_service_redis(
        self, consumer_handlers: dict[str, EventHandler], event_bus_env: Any
    ) -> None:
        """Every service refuses a revoked session's tokens: its consumer records ``session.revoked``."""
        from dbay_common.sessions import revoked_sessions

        session_id = str(uuid.uuid4())
        event = Event.new(
            source="dbay.user",
            detail_type="session.revoked",
            data={
                "session_id": session_id,
                "user_id": str(uuid.uuid4()),
                "revoked_at": "2026-12-07T12:00:00+00:00",
                "reason": "revoked",
            },
        )
        build_publisher_from_env().publish([event])
        revocations = revoked_sessions(self.service_redis_url())
        assert revocations.is_revoked(session_id) is False

        self.consume_once()

        assert revocations.is_revoked(session_id) is True
        assert 0 < int(revocations.client.ttl(f"dbay:revoked-session:{session_id}")) <= 16 * 60

    @staticmethod
    def publish(detail_type: str) -> Event:
        event = Event.new(source="dbay.test", detail_type=detail_type, data={"n": 1})
        build_publisher_from_env().publish([event])
        return event

    def pending(self, events_redis: redis.Redis, stream: str) -> int:
        return int(events_redis.xpending(stream, self.service)["pending"])

    def test_consumer_handles_exactly_the_declared_event_types(
        self, consumer_handlers: dict[str, EventHandler]
    ) -> None:
        assert set(consumer_handlers) == self.handled_event_types
        assert all(callable(handler) for handler in consumer_handlers.values())

    @pytest.fixture
    def recorded_events(
        self, consumer_handlers: dict[str, EventHandler], monkeypatch: pytest.MonkeyPatch
    ) -> list[Event]:
        """What a handler registered for ``test.happened`` (for this test only) receives."""
        seen: list[Event] = []
        monkeypatch.setitem(consumer_handlers, "test.happened", seen.append)
        return seen

    def test_consumer_hands_each_event_to_the_handler_of_its_type(
        self, recorded_events: list[Event], event_bus_env: Any, events_redis: redis.Redis
    ) -> None:
        event = self.publish("test.happened")

        self.consume_once()

        assert recorded_events == [event]
        assert self.pending(events_redis, event_bus_env.stream) == 0

    def test_consumer_acknowledges_and_ignores_types_it_has_no_handler_for(
        self, recorded_events: list[Event], event_bus_env: Any, events_redis: redis.Redis
    ) -> None:
        self.publish("test.ignored")

        self.consume_once()

        assert recorded_events == []
        assert self.pending(events_redis, event_bus_env.stream) == 0
        assert events_redis.xlen(event_bus_env.dead_letter_stream) == 0

    def test_consumer_leaves_an_event_pending_when_its_handler_fails(
        self,
        consumer_handlers: dict[str, EventHandler],
        event_bus_env: Any,
        events_redis: redis.Redis,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        def fail(_event: Event) -> None:
            raise RuntimeError("handler failed")

        monkeypatch.setitem(consumer_handlers, "test.happened", fail)
        self.publish("test.happened")

        self.consume_once()

        assert self.pending(events_redis, event_bus_env.stream) == 1


class DjangoServiceContract(ServiceContract, EventConsumerContract):
    """The contract for a Django service (run with its ``DJANGO_SETTINGS_MODULE``)."""

    #: ``settings.DBAY_EVENT_HANDLERS`` (``"auction_service.auctions.events:HANDLERS"``).
    event_handlers: ClassVar[str]

    @pytest.fixture
    def service_client(self, client: Client, settings: Settings, db: None) -> ServiceClient:
        return _DjangoServiceClient(client, settings)

    @pytest.fixture
    def consumer_handlers(self, db: None) -> dict[str, EventHandler]:
        from django.conf import settings

        from dbay_common.django.outbox.management.commands.consume_events import load_event_handlers

        return load_event_handlers(settings.DBAY_EVENT_HANDLERS)  # type: ignore[return-value]

    def consume_once(self) -> None:
        from django.core.management import call_command

        call_command("consume_events", "--max-batches", "1", "--block-ms", "200")

    def service_redis_url(self) -> str:
        from django.conf import settings

        return str(settings.REDIS_URL)

    def test_event_handlers_setting_points_at_this_service_handlers(self, settings: Settings) -> None:
        assert self.event_handlers == settings.DBAY_EVENT_HANDLERS

    def test_celery_app_uses_this_service_redis_and_schedules_library_and_service_jobs(
        self, settings: Settings
    ) -> None:
        from dbay_common.django.celery import LIBRARY_JOBS
        from dbay_common.schedules import load_jobs

        package = self.service.replace("-", "_")
        celery_app = importlib.import_module(f"{package}.celery").app
        jobs = (*LIBRARY_JOBS, *load_jobs(f"{package}.schedules"))

        assert celery_app.main == self.service
        assert celery_app.conf.broker_url == settings.REDIS_URL
        # Beat runs exactly the declared jobs: nothing registered some other way.
        assert sorted(celery_app.conf.beat_schedule) == sorted(job.task for job in jobs)
        for job in jobs:
            entry = celery_app.conf.beat_schedule[job.task]
            assert entry["task"] == job.task
            if job.every_s is not None:
                assert entry["schedule"] == job.every_s
            # Every declared task exists in the worker (a typo in a name would never run).
            celery_app.loader.import_default_modules()
            assert job.task in celery_app.tasks, f"{job.task} is scheduled but no task has that name"

    @pytest.mark.django_db
    def test_models_and_migrations_agree(self) -> None:
        from django.core.management import call_command

        # Exits with status 1 (SystemExit) when a model change has no migration.
        call_command("makemigrations", "--check", "--dry-run", verbosity=0)


class _DjangoServiceClient:
    def __init__(self, client: Client, settings: Settings) -> None:
        self.client = client
        self.settings = settings

    def get(self, path: str) -> Reply:
        response = self.client.get(path)
        streamed = getattr(response, "streaming_content", None)
        body = b"".join(streamed) if streamed is not None else response.content
        return Reply(status=response.status_code, content_type=response["Content-Type"], body=body)

    def break_store(self, store: StoreOnPort, port: int) -> None:
        if isinstance(store, SettingOnPort):
            setattr(self.settings, store.name, store.url.format(port=port))
            return
        databases = self.settings.DATABASES
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Overriding setting DATABASES")
            self.settings.DATABASES = {
                **databases,
                store.alias: {**databases[store.alias], "PORT": str(port)},
            }


class FlaskServiceContract(ServiceContract):
    """The contract for a Flask service; needs an ``app`` fixture returning the service's app."""

    @pytest.fixture
    def service_client(self, app: Flask) -> ServiceClient:
        return _FlaskServiceClient(app)


class FlaskWorkerContract(EventConsumerContract):
    """The event consumer of a Flask service: its ``worker`` module's ``run`` and ``HANDLERS``."""

    worker: ClassVar[ModuleType]

    def service_redis_url(self) -> str:
        package = self.worker.__name__.rpartition(".")[0]
        return str(importlib.import_module(f"{package}.config").load_config()["REDIS_URL"])

    @pytest.fixture
    def consumer_handlers(self) -> dict[str, EventHandler]:
        handlers: dict[str, EventHandler] = self.worker.HANDLERS
        return handlers

    def consume_once(self) -> None:
        self.worker.run(max_batches=1, block_ms=200)


class FlaskMongoServiceContract:
    """The background processes of a Flask service on the MongoDB-wire store (``MongoService``).

    Subclasses set ``package`` (``"messaging_service"``); the service's ``conftest.py`` points
    ``MONGODB_URI`` at a throwaway database (fixture ``mongodb_uri``).
    """

    package: ClassVar[str]

    def _module(self, name: str) -> ModuleType:
        return importlib.import_module(f"{self.package}.{name}")

    def test_worker_handles_a_redelivered_event_once_and_records_it(
        self, event_bus_env: Any, mongodb_uri: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        worker = self._module("worker")
        store = self._module("db").STORE
        seen: list[str] = []
        monkeypatch.setitem(worker.HANDLERS, "test.happened", lambda event: seen.append(event.event_id))
        event = Event.new(source="dbay.test", detail_type="test.happened", data={})
        build_publisher_from_env().publish([event, event])

        worker.run(max_batches=1, block_ms=200)

        assert seen == [event.event_id]
        assert [record["_id"] for record in store.database()["inbox"].find()] == [
            f"{store.service}:{event.event_id}"
        ]

    def test_relay_publishes_the_outbox_of_the_declared_collections(
        self, event_bus_env: Any, events_redis: redis.Redis, mongodb_uri: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from dbay_common.mongo import EventSource, outbox_insert_one

        store = self._module("db").STORE
        monkeypatch.setattr(store, "outbox_collections", ("things",))
        event = EventSource(source="dbay.test", producer=store.service).event("thing.happened", {"n": 1})
        outbox_insert_one(store.database()["things"], {"_id": "a"}, event)

        assert self._module("relay").run(max_passes=1) == 1
        assert [fields["event_id"] for _id, fields in events_redis.xrange(event_bus_env.stream)] == [
            event.event_id
        ]

    def test_schedules_declare_the_daily_purges_and_each_runs(self, mongodb_uri: str) -> None:
        from dbay_common.flask.schedules import job_callable

        jobs = self._module("schedules").JOBS
        assert [(job.task, job.every_s) for job in jobs] == [
            (f"{self.package}.db.STORE.idempotency_records_purge", 86400),
            (f"{self.package}.db.STORE.inbox_records_purge", 86400),
        ]
        assert [job_callable(job)() for job in jobs] == [0, 0]


class _FlaskServiceClient:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self.client = app.test_client()

    def get(self, path: str) -> Reply:
        response = self.client.get(path)
        body = response.get_data()
        response.close()
        return Reply(status=response.status_code, content_type=response.content_type or "", body=body)

    def break_store(self, store: StoreOnPort, port: int) -> None:
        if not isinstance(store, SettingOnPort):
            raise TypeError(f"a Flask service breaks stores through app.config, not {store!r}")
        self.app.config[store.name] = store.url.format(port=port)
