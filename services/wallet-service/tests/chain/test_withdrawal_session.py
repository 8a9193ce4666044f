"""A withdrawal is a money movement: the session must be live at user-service now, the email verified.

user-service is the stand-in of ``dbay_common.testing.sessions`` (its real endpoint is tested in
user-service; the two together by the browser tests and scripts/bench/revocation_lag.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from django.test import Client

from dbay_common.sessions import revoked_sessions
from dbay_common.testing.sessions import UserSessions
from wallet_service.chain.models import Withdrawal

from .conftest import UNIT, wallet_counters
from .test_api import REGTEST_DEST, Headers, post_withdrawal

pytestmark = pytest.mark.django_db


def test_a_withdrawal_on_a_session_revoked_a_moment_ago_is_refused_at_once(
    client: Client,
    auth_headers: Headers,
    funded_user: Callable[[int], uuid.UUID],
    user_sessions: UserSessions,
) -> None:
    user_id = funded_user(2 * UNIT)
    session_id = str(uuid.uuid4())
    before = wallet_counters(user_id)
    # The revocation event has not reached this service yet: only user-service knows.
    user_sessions.revoke(session_id)

    response = post_withdrawal(
        client,
        auth_headers(user_id, session_id=session_id),
        {"address": REGTEST_DEST, "amount_koinu": "10000000"},
    )

    assert response.status_code == 401
    assert response.json()["error"] == {
        "type": "authentication_error",
        "code": "session_revoked",
        "message": "This session has ended; sign in again.",
    }
    assert wallet_counters(user_id) == before
    assert Withdrawal.objects.filter(user_id=user_id).count() == 0


def test_a_session_listed_as_revoked_here_is_refused_before_user_service_is_asked(
    client: Client,
    auth_headers: Headers,
    funded_user: Callable[[int], uuid.UUID],
    user_sessions: UserSessions,
    settings: object,
) -> None:
    user_id = funded_user(2 * UNIT)
    session_id = str(uuid.uuid4())
    revocations = revoked_sessions(settings.REDIS_URL)  # type: ignore[attr-defined]
    revocations.revoke(session_id)
    try:
        response = client.get("/api/v1/wallet/balance", **auth_headers(user_id, session_id=session_id))
    finally:
        revocations.client.delete(f"dbay:revoked-session:{session_id}")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "session_revoked"
    assert user_sessions.calls == 0


def test_money_does_not_leave_an_account_whose_email_is_not_verified(
    client: Client,
    auth_headers: Headers,
    funded_user: Callable[[int], uuid.UUID],
    user_sessions: UserSessions,
) -> None:
    user_id = funded_user(2 * UNIT)
    before = wallet_counters(user_id)
    user_sessions.set_email_verified(str(user_id), False)

    response = post_withdrawal(
        client, auth_headers(user_id), {"address": REGTEST_DEST, "amount_koinu": "10000000"}
    )

    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "email_unverified"
    assert error["message"].startswith("Verify your email address before withdrawing")
    assert wallet_counters(user_id) == before
    assert Withdrawal.objects.filter(user_id=user_id).count() == 0

    user_sessions.set_email_verified(str(user_id), True)
    again = post_withdrawal(
        client, auth_headers(user_id), {"address": REGTEST_DEST, "amount_koinu": "10000000"}
    )
    assert again.status_code == 201


def test_a_withdrawal_is_refused_with_503_when_user_service_cannot_tell(
    client: Client,
    auth_headers: Headers,
    funded_user: Callable[[int], uuid.UUID],
    settings: object,
    closed_port: int,
) -> None:
    user_id = funded_user(2 * UNIT)
    before = wallet_counters(user_id)
    settings.DBAY_USER_SERVICE_URL = f"http://127.0.0.1:{closed_port}"  # type: ignore[attr-defined]

    response = post_withdrawal(
        client, auth_headers(user_id), {"address": REGTEST_DEST, "amount_koinu": "10000000"}
    )

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert wallet_counters(user_id) == before
