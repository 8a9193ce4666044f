"""Revoked sessions are refused by every service's token check; money paths ask user-service now."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import redis
from django.test import Client
from flask.testing import FlaskClient

from dbay_common.errors import ApiError
from dbay_common.events import Event
from dbay_common.sessions import (
    REVOCATION_TTL_S,
    RevokedSessions,
    SessionEnded,
    revoked_sessions,
    session_check_now,
    session_revoked_handler,
)
from dbay_common.testing.plugin import JwksServer, RsaKeyPair, sign_token
from tests.flask_app import build_app

SESSION = str(uuid.uuid4())
USER = str(uuid.uuid4())


@pytest.fixture
def revocations(settings: Any) -> Iterator[RevokedSessions]:
    store = revoked_sessions(settings.REDIS_URL)
    yield store
    store.client.delete(f"dbay:revoked-session:{SESSION}")


def token(rsa_keypair: RsaKeyPair, session_id: str = SESSION) -> str:
    return sign_token(rsa_keypair, sub=USER, sid=session_id, roles=["buyer"])


# -- the list -----------------------------------------------------------------------------------------


def test_the_consumer_handler_lists_a_revoked_session_for_the_token_lifetime(
    revocations: RevokedSessions,
) -> None:
    event = Event.new(source="dbay.user", detail_type="session.revoked", data={"session_id": SESSION})

    session_revoked_handler(lambda: revocations)(event)
    session_revoked_handler(lambda: revocations)(event)  # a redelivery changes nothing

    assert revocations.is_revoked(SESSION) is True
    assert (
        REVOCATION_TTL_S - 5 <= revocations.client.ttl(f"dbay:revoked-session:{SESSION}") <= REVOCATION_TTL_S
    )
    assert revocations.is_revoked(str(uuid.uuid4())) is False


def test_an_unreadable_list_fails_closed_with_503(closed_port: int) -> None:
    store = RevokedSessions(redis.Redis(port=closed_port, socket_connect_timeout=0.2))

    with pytest.raises(ApiError) as caught:
        store.check({"sid": SESSION})

    assert caught.value.status == 503
    assert caught.value.headers["Retry-After"] == "5"


# -- DRF ----------------------------------------------------------------------------------------------


def test_drf_refuses_the_token_of_a_revoked_session(
    client: Client, django_jwt: JwksServer, rsa_keypair: RsaKeyPair, revocations: RevokedSessions
) -> None:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token(rsa_keypair)}"}
    assert client.get("/api/whoami", **headers).status_code == 200  # type: ignore[arg-type]

    revocations.revoke(SESSION)
    response = client.get("/api/whoami", **headers)  # type: ignore[arg-type]

    assert response.status_code == 401
    assert response.json()["error"] == {
        "type": "authentication_error",
        "code": "session_revoked",
        "message": "This session has ended; sign in again.",
    }
    # Another session of the same user is unaffected.
    other = {"HTTP_AUTHORIZATION": f"Bearer {token(rsa_keypair, str(uuid.uuid4()))}"}
    assert client.get("/api/whoami", **other).status_code == 200  # type: ignore[arg-type]


# -- Flask --------------------------------------------------------------------------------------------


@pytest.fixture
def flask_client(served: JwksServer, settings: Any) -> FlaskClient:
    app = build_app(jwks_url=served.url)
    app.config["REDIS_URL"] = settings.REDIS_URL
    return app.test_client()


def test_flask_refuses_the_token_of_a_revoked_session(
    flask_client: FlaskClient, rsa_keypair: RsaKeyPair, revocations: RevokedSessions
) -> None:
    headers = {"Authorization": f"Bearer {token(rsa_keypair)}"}
    assert flask_client.get("/api/v1/test/me", headers=headers).status_code == 200

    revocations.revoke(SESSION)
    response = flask_client.get("/api/v1/test/me", headers=headers)

    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "session_revoked"


# -- asking user-service now --------------------------------------------------------------------------


class _UserService(BaseHTTPRequestHandler):
    """Answers GET /api/v1/user/me/session the way user-service does, from ``answers``."""

    answers: dict[str, tuple[int, dict[str, Any]]] = {}
    seen: list[str] = []

    def do_GET(self) -> None:
        authorization = self.headers.get("Authorization", "")
        type(self).seen.append(f"{self.path} {authorization}")
        status, body = type(self).answers.get(authorization, (401, {"error": {"code": "session_revoked"}}))
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def user_service() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _UserService)
    _UserService.answers = {
        "Bearer live": (
            200,
            {
                "session_id": SESSION,
                "user_id": USER,
                "active": True,
                "email_verified": False,
                "mfa_enabled": True,
            },
        ),
        "Bearer broken": (500, {"error": {"code": "internal_error"}}),
    }
    _UserService.seen = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_session_check_now_returns_the_current_facts(user_service: str) -> None:
    status = session_check_now(authorization="Bearer live", base_url=user_service)

    assert (status.session_id, status.user_id, status.email_verified, status.mfa_enabled) == (
        SESSION,
        USER,
        False,
        True,
    )
    assert _UserService.seen == ["/api/v1/user/me/session Bearer live"]


def test_session_check_now_refuses_an_ended_session(user_service: str) -> None:
    with pytest.raises(SessionEnded) as caught:
        session_check_now(authorization="Bearer revoked", base_url=user_service)

    assert (caught.value.status, caught.value.code) == (401, "session_revoked")


@pytest.mark.parametrize("authorization", ["Bearer broken"])
def test_session_check_now_fails_closed_when_user_service_cannot_tell(
    user_service: str, authorization: str, closed_port: int
) -> None:
    for base_url in (user_service, f"http://127.0.0.1:{closed_port}"):
        with pytest.raises(ApiError) as caught:
            session_check_now(authorization=authorization, base_url=base_url)
        assert (caught.value.status, caught.value.code) == (503, "service_unavailable")


def test_flask_checks_a_presented_token_even_on_a_public_route(
    flask_client: FlaskClient, rsa_keypair: RsaKeyPair, revocations: RevokedSessions
) -> None:
    headers = {"Authorization": f"Bearer {token(rsa_keypair)}"}
    assert flask_client.get("/api/v1/test/", headers=headers).status_code == 200
    assert flask_client.get("/api/v1/test/").status_code == 200  # no token: public as before

    revocations.revoke(SESSION)

    response = flask_client.get("/api/v1/test/", headers=headers)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "session_revoked"
    garbage = flask_client.get("/api/v1/test/", headers={"Authorization": "Bearer not-a-token"})
    assert (garbage.status_code, garbage.get_json()["error"]["code"]) == (401, "invalid_token")


def test_drf_checks_a_presented_token_even_on_a_public_route(
    client: Client, django_jwt: JwksServer, rsa_keypair: RsaKeyPair, revocations: RevokedSessions
) -> None:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token(rsa_keypair)}"}
    revocations.revoke(SESSION)

    response = client.get("/api/v1/test/", **headers)  # type: ignore[arg-type]

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "session_revoked"
