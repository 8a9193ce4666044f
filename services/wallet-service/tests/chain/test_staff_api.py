"""The staff operations API (role ``staff`` checked on the server), its audit log, and the wallet
history's one row per withdrawal."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.utils import IntegrityError
from django.test import Client

from wallet_service.chain.models import ReconciliationRun, Withdrawal
from wallet_service.ledger import services as ledger
from wallet_service.ledger.chart import user_wallet_account_id
from wallet_service.staff.models import StaffAction

from .conftest import UNIT, wallet_counters

pytestmark = pytest.mark.django_db

Headers = Callable[..., dict[str, str]]
REGTEST_DEST = "mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn"
STAFF_PATHS = [
    ("get", "/api/v1/wallet/staff/withdrawals"),
    ("get", "/api/v1/wallet/staff/frozen-accounts"),
    ("post", f"/api/v1/wallet/staff/accounts/{uuid.uuid4()}/unfreeze"),
    ("get", "/api/v1/wallet/staff/suspense"),
    ("get", "/api/v1/wallet/staff/reconciliation"),
    ("get", "/api/v1/wallet/staff/audit-log"),
    ("post", f"/api/v1/wallet/withdrawals/{uuid.uuid4()}/approve"),
    ("post", f"/api/v1/wallet/withdrawals/{uuid.uuid4()}/reject"),
]


def request(client: Client, method: str, path: str, headers: dict[str, str], body: Any = None) -> Any:
    return getattr(client, method)(path, data=body or {}, content_type="application/json", **headers)


@pytest.mark.parametrize(("method", "path"), STAFF_PATHS)
def test_staff_endpoints_refuse_users_without_the_staff_role(
    client: Client, auth_headers: Headers, method: str, path: str
) -> None:
    response = request(client, method, path, auth_headers(uuid.uuid4(), roles=["user"]), {"reason": "x"})
    anonymous = request(client, method, path, {}, {"reason": "x"})

    assert response.status_code == 403
    assert response.json()["error"]["type"] == "permission_error"
    assert anonymous.status_code == 401
    assert StaffAction.objects.count() == 0


def test_review_queue_approve_reject_and_the_audit_log(
    client: Client, auth_headers: Headers, funded_user: Callable[[int], uuid.UUID], settings: Any
) -> None:
    settings.WITHDRAWAL_APPROVAL_THRESHOLD_KOINU = UNIT
    user_id = funded_user(10 * UNIT)
    staff_id = uuid.uuid4()
    staff = auth_headers(staff_id, roles=["user", "staff"])
    made = [
        client.post(
            "/api/v1/wallet/withdrawals",
            data={"address": REGTEST_DEST, "amount_koinu": str(2 * UNIT)},
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
            **auth_headers(user_id),
        ).json()["id"]
        for _ in range(2)
    ]

    queue = request(client, "get", "/api/v1/wallet/staff/withdrawals", staff)
    assert queue.status_code == 200
    assert [(w["id"], w["status"], w["user_id"]) for w in queue.json()["data"]] == [
        (made[0], "awaiting_approval", str(user_id)),
        (made[1], "awaiting_approval", str(user_id)),
    ]

    no_reason = request(client, "post", f"/api/v1/wallet/withdrawals/{made[1]}/reject", staff, {})
    assert no_reason.status_code == 400 and no_reason.json()["error"]["param"] == "reason"
    approved = request(
        client, "post", f"/api/v1/wallet/withdrawals/{made[0]}/approve", staff, {"reason": "known customer"}
    )
    rejected = request(
        client, "post", f"/api/v1/wallet/withdrawals/{made[1]}/reject", staff, {"reason": "address flagged"}
    )
    again = request(
        client, "post", f"/api/v1/wallet/withdrawals/{made[1]}/reject", staff, {"reason": "twice"}
    )
    missing = request(client, "post", f"/api/v1/wallet/withdrawals/{uuid.uuid4()}/approve", staff, {})

    assert (approved.status_code, approved.json()["status"]) == (200, "approved")
    assert (rejected.status_code, rejected.json()["status"]) == (200, "rejected")
    assert (again.status_code, again.json()["error"]["code"]) == (409, "withdrawal_not_awaiting_approval")
    assert missing.status_code == 404
    assert request(client, "get", "/api/v1/wallet/staff/withdrawals", staff).json()["data"] == []

    log = request(client, "get", "/api/v1/wallet/staff/audit-log", staff)
    assert log.status_code == 200
    assert [
        (
            e["staff_id"],
            e["action"],
            e["target_type"],
            e["target_id"],
            e["reason"],
            e["detail"]["status_after"],
        )
        for e in log.json()["data"]
    ] == [
        (str(staff_id), "withdrawal_reject", "withdrawal", made[1], "address flagged", "rejected"),
        (str(staff_id), "withdrawal_approve", "withdrawal", made[0], "known customer", "approved"),
    ]  # refused actions (400, 409, 404) left no record

    # The log is append-only in the database.
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE staff_staffaction SET reason = 'tampered'")
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM staff_staffaction")
    assert StaffAction.objects.count() == 2


def test_frozen_accounts_unfreeze_suspense_and_reconciliation(
    client: Client, auth_headers: Headers, funded_user: Callable[[int], uuid.UUID]
) -> None:
    staff_id = uuid.uuid4()
    staff = auth_headers(staff_id, roles=["staff"])
    user_id = funded_user(2 * UNIT)
    ledger.account_freeze(account_id=user_wallet_account_id(user_id), reason="deposit reorged out")

    frozen = request(client, "get", "/api/v1/wallet/staff/frozen-accounts", staff)
    assert frozen.status_code == 200
    assert frozen.json()["data"] == [
        {
            "user_id": str(user_id),
            "frozen_reason": "deposit reorged out",
            "available_koinu": str(2 * UNIT),
            "held_koinu": "0",
            "posted_koinu": str(2 * UNIT),
        }
    ]
    unfrozen = request(
        client, "post", f"/api/v1/wallet/staff/accounts/{user_id}/unfreeze", staff, {"reason": "repaid"}
    )
    assert unfrozen.status_code == 200
    assert request(client, "get", "/api/v1/wallet/staff/frozen-accounts", staff).json()["data"] == []
    [action] = StaffAction.objects.all()
    assert (action.action, action.target_id, action.reason, action.detail) == (
        "account_unfreeze",
        str(user_id),
        "repaid",
        {"was_frozen": True, "frozen_reason": "deposit reorged out"},
    )
    no_wallet = request(
        client, "post", f"/api/v1/wallet/staff/accounts/{uuid.uuid4()}/unfreeze", staff, {"reason": "x"}
    )
    assert no_wallet.status_code == 404

    suspense = request(client, "get", "/api/v1/wallet/staff/suspense", staff)
    assert suspense.status_code == 200
    assert set(suspense.json()) == {
        "posted_koinu",
        "debits_posted_koinu",
        "credits_posted_koinu",
        "entries",
        "has_more",
    }

    assert request(client, "get", "/api/v1/wallet/staff/reconciliation", staff).status_code == 404
    ReconciliationRun.objects.create(is_balanced=True, drift_koinu=0, report={"drift_koinu": 0})
    latest = request(client, "get", "/api/v1/wallet/staff/reconciliation", staff)
    assert latest.status_code == 200
    assert (latest.json()["is_balanced"], latest.json()["drift_koinu"]) == (True, "0")


def test_history_shows_one_row_per_withdrawal_with_its_state_and_a_signed_amount(
    client: Client, auth_headers: Headers, funded_user: Callable[[int], uuid.UUID]
) -> None:
    from wallet_service.chain import booking

    user_id = funded_user(5 * UNIT)
    made = client.post(
        "/api/v1/wallet/withdrawals",
        data={"address": REGTEST_DEST, "amount_koinu": str(2 * UNIT)},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
        **auth_headers(user_id),
    ).json()
    withdrawal = Withdrawal.objects.get(id=made["id"])
    withdrawal.network_fee_share_koinu = 1_000_000
    with transaction.atomic():
        booking.withdrawal_settle(withdrawal, txid="00" * 32)  # as the follower does on confirmation
    assert wallet_counters(user_id) == (2 * UNIT + 1_000_000, 5 * UNIT, 0, 0)

    every = client.get("/api/v1/wallet/transfers", **auth_headers(user_id)).json()["data"]
    activity = client.get("/api/v1/wallet/transfers?activity=true", **auth_headers(user_id)).json()["data"]

    assert sorted((e["kind"], e["reason"]) for e in every) == [
        ("pending", "withdrawal"),
        ("post_pending", "withdrawal"),
        ("single", "deposit"),
    ]
    assert sorted((e["kind"], e["reason"], e["status"], e["signed_amount_koinu"]) for e in activity) == [
        ("pending", "withdrawal", "posted", str(-(2 * UNIT + 1_000_000))),
        ("single", "deposit", "posted", str(5 * UNIT)),
    ]
    [row] = [e for e in activity if e["reason"] == "withdrawal"]
    assert row["reference"]["withdrawal_id"] == made["id"]


def test_frozen_accounts_page_by_the_user_id_each_row_shows(
    client: Client, auth_headers: Headers, funded_user: Callable[[int], uuid.UUID]
) -> None:
    staff = auth_headers(uuid.uuid4(), roles=["staff"])
    users = sorted((funded_user(UNIT) for _ in range(3)), key=str)
    for user_id in users:
        ledger.account_freeze(account_id=user_wallet_account_id(user_id), reason="review")

    path = "/api/v1/wallet/staff/frozen-accounts?limit=2"
    first = request(client, "get", path, staff).json()
    assert [row["user_id"] for row in first["data"]] == [str(u) for u in users[:2]]
    assert first["has_more"] is True
    second = request(client, "get", f"{path}&starting_after={first['data'][-1]['user_id']}", staff)
    assert second.status_code == 200
    assert [row["user_id"] for row in second.json()["data"]] == [str(users[2])]
    assert second.json()["has_more"] is False
