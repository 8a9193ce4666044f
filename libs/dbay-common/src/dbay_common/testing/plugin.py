"""pytest plugin: fixtures that connect tests to the real stores started by scripts/devstack.

Registered as a ``pytest11`` entry point, so every test suite in the workspace gets these fixtures.
Stores are never faked: a fixture whose store is not answering fails the test with a message saying
how to start it (``python3 scripts/devstack start-stores``), because a silently skipped test is a
test that never runs.

Every fixture isolates the test run and cleans up after itself:

``postgres_dsn`` (session)
    A throwaway database ``dbay_test_<random>``, dropped at the end of the session.
``redis_url`` (session)
    Redis db 9-15, picked by xdist worker (``gw0`` → 9, ``gw1`` → 10, ...), flushed at the end.
    Use ``redis_key_prefix`` for keys so concurrent runs on the same db do not collide.
``memcached_addr`` (session), ``elasticsearch_url`` (session), ``dogecoin_rpc_url`` (session)
    Addresses of the devstack servers, checked to answer.
``es_index_prefix``
    A unique index-name prefix for one test; indices starting with it are deleted afterwards.
``mongo_client`` (session), ``mongo_db``
    A ``pymongo`` database with a unique name for one test, dropped afterwards.
``rsa_keypair`` (session), ``jwks`` (session), ``make_token``, ``jwks_server`` (session)
    An RSA signing key with its JWKS, a factory of signed access tokens, and a real HTTP server
    serving a (replaceable) JWKS document.
``closed_port``
    A loopback port that refuses connections, to point a store at when a test needs it down.

The event-bus fixtures of :mod:`dbay_common.testing.events` (Redis Streams) and
:mod:`dbay_common.testing.aws` (EventBridge/SQS on a moto server) are registered by this plugin
too, so no test module or conftest has to list them in ``pytest_plugins``.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

import pytest

from dbay_common.settings import DEV_HOST, dev_port, dev_url

if TYPE_CHECKING:
    from pymongo import MongoClient
    from pymongo.database import Database

pytest_plugins = ["dbay_common.testing.events", "dbay_common.testing.aws"]

REDIS_TEST_DBS = range(9, 16)


def require_store(store: str) -> int:
    """The port of a devstack store; fail the test with instructions when it does not answer."""
    port = dev_port(store)
    try:
        with socket.create_connection((DEV_HOST, port), timeout=1.0):
            pass
    except OSError as error:
        pytest.fail(
            f"{store} is not answering on {DEV_HOST}:{port} ({error}); "
            "start the stores with `python3 scripts/devstack start-stores`",
            pytrace=False,
        )
    return port


def unique_suffix() -> str:
    """A short random suffix for names that must not collide between concurrent test runs."""
    return uuid.uuid4().hex[:12]


def xdist_worker_index() -> int:
    """0 outside xdist, else the worker number (``gw3`` → 3)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(worker[2:]) if worker.startswith("gw") and worker[2:].isdigit() else 0


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A loopback port that refuses connections: bound (so nobody else takes it) but not listening."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((DEV_HOST, 0))
        port: int = sock.getsockname()[1]
        yield port


# -- PostgreSQL ------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres_dsn() -> Iterator[str]:
    """DSN of a fresh, empty database for this session; dropped (even with open connections) after."""
    import psycopg
    from psycopg import sql

    require_store("postgres")
    name = f"dbay_test_{unique_suffix()}"
    admin_dsn = dev_url("postgres", name="postgres")
    with psycopg.connect(admin_dsn, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield dev_url("postgres", name=name)
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


# -- Redis -----------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """URL of a Redis test db (9-15, one per xdist worker), flushed at the end of the session."""
    import redis

    require_store("redis")
    db = REDIS_TEST_DBS[xdist_worker_index() % len(REDIS_TEST_DBS)]
    url = dev_url("redis", name=str(db))
    try:
        yield url
    finally:
        client = redis.Redis.from_url(url)
        try:
            client.flushdb()
        finally:
            client.close()


@pytest.fixture
def redis_key_prefix() -> str:
    """A unique key prefix for one test (``test:<random>:``)."""
    return f"test:{unique_suffix()}:"


# -- Memcached, Elasticsearch, the node -------------------------------------------------------------


@pytest.fixture(scope="session")
def memcached_addr() -> str:
    """``host:port`` of the devstack memcached. Use unique keys (memcached has no namespaces)."""
    require_store("memcached")
    return dev_url("memcached")


@pytest.fixture(scope="session")
def elasticsearch_url() -> str:
    """Base URL of the devstack Elasticsearch."""
    require_store("elasticsearch")
    return dev_url("elasticsearch")


@pytest.fixture
def es_index_prefix(elasticsearch_url: str) -> Iterator[str]:
    """A unique index-name prefix; every index starting with it is deleted after the test.

    Indices are listed and deleted by name because Elasticsearch 8 refuses wildcard deletes by
    default (``action.destructive_requires_name``).
    """
    prefix = f"test-{unique_suffix()}-"
    try:
        yield prefix
    finally:
        delete_es_indices(elasticsearch_url, prefix)


def delete_es_indices(elasticsearch_url: str, prefix: str) -> list[str]:
    """Delete every index whose name starts with ``prefix``; return their names."""
    import requests

    if not prefix:
        raise ValueError("refusing to delete every index: empty prefix")
    response = requests.get(
        f"{elasticsearch_url}/_cat/indices/{prefix}*",
        params={"format": "json", "h": "index", "expand_wildcards": "all"},
        timeout=10,
    )
    response.raise_for_status()
    names = sorted(entry["index"] for entry in response.json())
    for name in names:
        requests.delete(f"{elasticsearch_url}/{name}", timeout=30).raise_for_status()
    return names


@pytest.fixture(scope="session")
def dogecoin_rpc_url() -> str:
    """JSON-RPC URL (with credentials) of the devstack regtest node."""
    require_store("dogecoin")
    return dev_url("dogecoin")


# -- MongoDB (FerretDB) ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def mongo_client() -> Iterator[MongoClient[dict[str, Any]]]:
    """A client of the devstack MongoDB-wire server (FerretDB)."""
    from pymongo import MongoClient

    require_store("mongodb")
    client: MongoClient[dict[str, Any]] = MongoClient(dev_url("mongodb"), serverSelectionTimeoutMS=5000)
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def mongo_db(mongo_client: MongoClient[dict[str, Any]]) -> Iterator[Database[dict[str, Any]]]:
    """A database with a unique name (``test_<random>``) for one test, dropped afterwards."""
    name = f"test_{unique_suffix()}"
    try:
        yield mongo_client[name]
    finally:
        mongo_client.drop_database(name)


# -- JWT -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RsaKeyPair:
    """An RSA signing key for tests: PEMs, ``kid`` and the public JWK."""

    kid: str
    private_pem: bytes
    public_pem: bytes
    jwk: dict[str, Any]


def generate_rsa_keypair(kid: str | None = None) -> RsaKeyPair:
    """A fresh 2048-bit RSA key pair (the size user-service uses) with its public JWK."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from jwt.algorithms import RSAAlgorithm

    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    kid = kid or f"test-{unique_suffix()}"
    jwk = json.loads(RSAAlgorithm.to_jwk(private_key.public_key()))
    jwk.update({"kid": kid, "use": "sig", "alg": "RS256"})
    return RsaKeyPair(
        kid=kid,
        private_pem=private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
        public_pem=private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
        jwk=jwk,
    )


def sign_token(keypair: RsaKeyPair, *, headers: dict[str, Any] | None = None, **claims: Any) -> str:
    """An RS256 token signed by ``keypair`` with default claims (dev issuer and audience, ``sub``
    ``"user-1"``, issued now, expiring in 5 minutes). A claim or header given as ``None`` is left out
    (``exp=None`` makes a token without expiry; ``headers={"kid": None}`` one without key id).
    """
    import jwt as pyjwt

    from dbay_common.jwt import DEV_AUDIENCE, DEV_ISSUER

    now = int(time.time())
    payload: dict[str, Any] = {
        "iss": DEV_ISSUER,
        "aud": DEV_AUDIENCE,
        "sub": "user-1",
        "iat": now,
        "exp": now + 300,
    }
    payload.update(claims)
    payload = {name: value for name, value in payload.items() if value is not None}
    header = {
        name: value for name, value in {"kid": keypair.kid, **(headers or {})}.items() if value is not None
    }
    return pyjwt.encode(payload, keypair.private_pem, algorithm="RS256", headers=header)


@pytest.fixture(scope="session")
def rsa_keypair() -> RsaKeyPair:
    return generate_rsa_keypair()


@pytest.fixture(scope="session")
def jwks(rsa_keypair: RsaKeyPair) -> dict[str, Any]:
    """``{"keys": [<public JWK of rsa_keypair>]}``."""
    return {"keys": [rsa_keypair.jwk]}


@pytest.fixture
def make_token(rsa_keypair: RsaKeyPair) -> Callable[..., str]:
    """``make_token(**claims)``: a token signed by ``rsa_keypair`` (see :func:`sign_token`)."""

    def make(**claims: Any) -> str:
        return sign_token(rsa_keypair, **claims)

    return make


@dataclass
class JwksServer:
    """A real HTTP server on a free loopback port serving ``document`` at ``url``; counts requests."""

    url: str = ""
    document: dict[str, Any] = field(default_factory=lambda: {"keys": []})
    hits: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def set_keys(self, *keys: dict[str, Any]) -> None:
        with self._lock:
            self.document = {"keys": list(keys)}

    def reset_hits(self) -> None:
        with self._lock:
            self.hits = 0


@pytest.fixture(scope="session")
def jwks_server(rsa_keypair: RsaKeyPair) -> Iterator[JwksServer]:
    """A :class:`JwksServer` initially serving ``rsa_keypair``'s key at ``/.well-known/jwks.json``."""
    state = JwksServer()
    state.set_keys(rsa_keypair.jwk)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            with state._lock:
                state.hits += 1
                body = json.dumps(state.document).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return  # keep test output clean

    server = ThreadingHTTPServer((DEV_HOST, 0), Handler)
    thread = threading.Thread(target=server.serve_forever, name="jwks-server", daemon=True)
    thread.start()
    state.url = f"http://{DEV_HOST}:{server.server_address[1]}/.well-known/jwks.json"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


# The stand-in for user-service's session check (see dbay_common.testing.sessions).
from dbay_common.testing.sessions import user_sessions, user_sessions_server  # noqa: E402, F401
