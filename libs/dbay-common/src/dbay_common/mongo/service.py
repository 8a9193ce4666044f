"""What every Flask service on the MongoDB-wire store wires the same way, in one object.

A service declares it once, in ``<package>/db.py``::

    STORE = MongoService(service=SERVICE, load_config=load_config, outbox_collections=("messages",))

and its processes are then one line each: ``worker.py`` runs ``STORE.run_worker(HANDLERS)`` (the
inbox as dedupe, the session revocation list, the bus from the environment), ``relay.py`` runs
``STORE.run_relay()`` (the outbox of ``outbox_collections``), ``schedules.py`` declares
``JOBS = STORE.housekeeping_jobs("<package>.db.STORE")`` (the Idempotency-Key and inbox purges) and
runs them, and ``create_app`` installs ``STORE.idempotency_store(app.config)``. The configuration
entries every such service has come from :func:`mongo_service_config`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from typing import Any

from flask import Flask
from pymongo import MongoClient
from pymongo.database import Database

from dbay_common.flask.app import Blueprint, create_service_app
from dbay_common.flask.health import config_check
from dbay_common.flask.idempotency import IdempotencyStore
from dbay_common.health import mongodb_check, redis_check
from dbay_common.logging import configure_logging
from dbay_common.mongo.inbox import MongoInbox
from dbay_common.mongo.locks import DEFAULT_LOCKS_COLLECTION
from dbay_common.mongo.relay import RelayKick, run_relay
from dbay_common.schedules import PeriodicJob
from dbay_common.sessions import revoked_sessions
from dbay_common.settings import dev_url, env_int, env_str
from dbay_common.transports.base import EventHandler
from dbay_common.transports.runner import run_consumer

__all__ = [
    "IDEMPOTENCY_COLLECTION",
    "INBOX_COLLECTION",
    "LOCKS_COLLECTION",
    "MongoService",
    "mongo_service_config",
]

LOCKS_COLLECTION = DEFAULT_LOCKS_COLLECTION
INBOX_COLLECTION = "inbox"
IDEMPOTENCY_COLLECTION = "idempotency_records"
HOUSEKEEPING_INTERVAL_S = 24 * 3600


def mongo_service_config(*, database: str, redis_db: int) -> dict[str, Any]:
    """The ``app.config`` entries every Flask service on the MongoDB-wire store reads (its ``load_config``
    adds its own): the store, the service's Redis db, the relay's poll interval, the inbox retention."""
    return {
        # MongoDB-wire server (FerretDB locally); the database is the URI's path.
        "MONGODB_URI": env_str("MONGODB_URI", dev_default=dev_url("mongodb", name=database)),
        # This service's Redis db: the relay's wake-up list and the session revocation list.
        "REDIS_URL": env_str("REDIS_URL", dev_default=dev_url("redis", name=str(redis_db))),
        # The outbox relay polls this often when no write wakes it.
        "OUTBOX_RELAY_INTERVAL_S": env_int("OUTBOX_RELAY_INTERVAL_S", default=1),
        # Handled-event records older than this are purged (redeliveries come within minutes).
        "INBOX_RETENTION_DAYS": env_int("INBOX_RETENTION_DAYS", default=7),
    }


@functools.cache
def _client(uri: str) -> MongoClient[dict[str, Any]]:
    return MongoClient(uri, tz_aware=True, serverSelectionTimeoutMS=5000)


class MongoService:
    """The database, outbox relay, inbox worker, Idempotency-Key store and housekeeping of a service."""

    def __init__(
        self,
        *,
        service: str,
        load_config: Callable[[], Mapping[str, Any]],
        outbox_collections: Sequence[str] = (),
    ) -> None:
        self.service = service
        self.load_config = load_config
        #: Collections whose documents embed an outbox (``dbay_common.mongo.outbox``); the relay scans them.
        self.outbox_collections: tuple[str, ...] = tuple(outbox_collections)

    def database(self, uri: str | None = None) -> Database[dict[str, Any]]:
        """The database named by ``uri``'s path (default: ``MONGODB_URI``); one pooled client per URI."""
        return _client(uri or self.load_config()["MONGODB_URI"]).get_default_database()

    def idempotency_store(self, config: Mapping[str, Any]) -> IdempotencyStore:
        """The Idempotency-Key store of the web app (``create_app`` calls ``.init_app(app)`` on it)."""
        return IdempotencyStore(
            self.database(config["MONGODB_URI"])[IDEMPOTENCY_COLLECTION],
            ttl_s=config["DBAY_IDEMPOTENCY_TTL_S"],
            lock_timeout_s=config["DBAY_IDEMPOTENCY_LOCK_TIMEOUT_S"],
        )

    def relay_kick(self, config: Mapping[str, Any] | None = None) -> RelayKick:
        """The kick producers pass as ``kick=`` to the outbox helpers, waking the relay at once."""
        return RelayKick(redis_url=(config or self.load_config())["REDIS_URL"], service=self.service)

    def inbox(self) -> MongoInbox:
        return MongoInbox(self.database()[INBOX_COLLECTION], consumer=self.service)

    def run_worker(
        self, handlers: Mapping[str, EventHandler], *, max_batches: int | None = None, block_ms: int = 1000
    ) -> None:
        """Consume the bus as this service's group, through the inbox, listing revoked sessions."""
        redis_url = self.load_config()["REDIS_URL"]
        run_consumer(
            group=self.service,
            handlers=handlers,
            dedupe=self.inbox().dedupe,
            max_batches=max_batches,
            block_ms=block_ms,
            session_revocations=lambda: revoked_sessions(redis_url),
        )

    def run_relay(self, *, max_passes: int | None = None) -> int:
        """Publish the outbox of :attr:`outbox_collections` until stopped; return how many were published."""
        config = self.load_config()
        return run_relay(
            database=self.database(config["MONGODB_URI"]),
            collections=self.outbox_collections,
            kick=self.relay_kick(config),
            interval_s=config["OUTBOX_RELAY_INTERVAL_S"],
            locks_collection=LOCKS_COLLECTION,
            max_passes=max_passes,
        )

    def idempotency_records_purge(self) -> int:
        """Delete Idempotency-Key records past their TTL (the decorator already ignores them)."""
        ttl_s = env_int("IDEMPOTENCY_TTL_S", default=24 * 3600)
        store = IdempotencyStore(self.database()[IDEMPOTENCY_COLLECTION])
        return store.purge(older_than=timedelta(seconds=ttl_s))

    def inbox_records_purge(self) -> int:
        """Delete handled-event records older than ``INBOX_RETENTION_DAYS``."""
        days = int(self.load_config()["INBOX_RETENTION_DAYS"])
        return self.inbox().purge(older_than=timedelta(days=days))

    def housekeeping_jobs(self, path: str) -> tuple[PeriodicJob, ...]:
        """The daily purges, as jobs naming this object by ``path`` (``"<package>.db.STORE"``)."""
        return (
            PeriodicJob(task=f"{path}.idempotency_records_purge", every_s=HOUSEKEEPING_INTERVAL_S),
            PeriodicJob(task=f"{path}.inbox_records_purge", every_s=HOUSEKEEPING_INTERVAL_S),
        )

    def create_app(
        self,
        import_name: str,
        *,
        api_prefix: str,
        blueprints: Sequence[Blueprint],
        config: Mapping[str, Any] | None = None,
    ) -> Flask:
        """The service's web app: ``create_service_app`` with this store's health checks (the store and
        the service's Redis), the Idempotency-Key store installed and ``blueprints`` registered.
        ``config`` overrides what ``load_config`` read (tests)."""
        app, api = create_service_app(
            import_name=import_name,
            service=self.service,
            api_prefix=api_prefix,
            config={**self.load_config(), **(config or {})},
            checks={
                "mongodb": config_check(mongodb_check, "MONGODB_URI"),
                "redis": config_check(redis_check, "REDIS_URL"),
            },
        )
        self.idempotency_store(app.config).init_app(app)
        for blueprint in blueprints:
            api.register_blueprint(blueprint)
        return app

    def main(self, process: Callable[[], object]) -> None:
        """Run one of the service's processes as ``__main__``: JSON logs first, then ``process()``."""
        configure_logging(service=self.service, level=env_str("LOG_LEVEL", default="INFO"))
        process()
