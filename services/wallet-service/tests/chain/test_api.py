"""The chain side's HTTP API: deposit address, deposits, withdrawal requests and their refusals."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from dbay_common.django.outbox.models import OutboxEvent
from wallet_service.chain.models import WalletAddress, Withdrawal
from wallet_service.chain.services import deposit_address_get_or_create
from wallet_service.ledger.chart import PlatformAccount, user_wallet_account_id
from wallet_service.ledger.models import Account, Transfer

from .conftest import UNIT, Follower, NodeHarness, available_koinu, wallet_counters

pytestmark = pytest.mark.django_db

Headers = Callable[..., dict[str, str]]
REGTEST_DEST = "mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn"  # a valid regtest P2PKH address (prefix 0x6f)


def post_withdrawal(
    client: Client, headers: dict[str, str], body: dict[str, Any], key: str | None = None
) -> Any:
    extra = {"HTTP_IDEMPOTENCY_KEY": key or uuid.uuid4().hex} if key != "" else {}
    return client.post(
        "/api/v1/wallet/withdrawals", data=body, content_type="application/json", **headers, **extra
    )


# -- deposit address ---------------------------------------------------------------------------------


def test_deposit_address_created_on_first_get_and_stable(client: Client, auth_headers: Headers) -> None:
    user_id = uuid.uuid4()
    first = client.get("/api/v1/wallet/deposit-address", **auth_headers(user_id))
    second = client.get("/api/v1/wallet/deposit-address", **auth_headers(user_id))

    assert first.status_code == 200
    body = first.json()
    assert body == second.json()
    assert set(body) == {"address", "uri", "network", "created_at"}
    assert body["address"][0] in "mn" and body["network"] == "regtest"
    assert body["uri"] == f"dogecoin:{body['address']}"
    stored = WalletAddress.objects.get(address=body["address"])
    assert (stored.user_id, stored.chain, stored.is_current) == (user_id, 0, True)


def test_post_gives_a_fresh_address_and_keeps_the_old_one(client: Client, auth_headers: Headers) -> None:
    user_id = uuid.uuid4()
    old = client.get("/api/v1/wallet/deposit-address", **auth_headers(user_id)).json()["address"]
    response = client.post("/api/v1/wallet/deposit-address", **auth_headers(user_id))
    assert response.status_code == 201
    new = response.json()["address"]
    assert new != old
    assert client.get("/api/v1/wallet/deposit-address", **auth_headers(user_id)).json()["address"] == new
    assert list(
        WalletAddress.objects.filter(user_id=user_id)
        .order_by("derivation_index")
        .values_list("address", "is_current")
    ) == [
        (old, False),
        (new, True),
    ]


def test_deposit_address_needs_authentication(client: Client, jwt_settings: Any) -> None:
    response = client.get("/api/v1/wallet/deposit-address")
    assert response.status_code == 401
    assert WalletAddress.objects.count() == 0


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/wallet/deposit-address"),
        ("post", "/api/v1/wallet/deposit-address"),
        ("get", "/api/v1/wallet/deposits"),
        ("get", "/api/v1/wallet/withdrawals"),
        ("post", "/api/v1/wallet/withdrawals"),
        ("get", f"/api/v1/wallet/withdrawals/{uuid.uuid4()}"),
        ("post", f"/api/v1/wallet/withdrawals/{uuid.uuid4()}/approve"),
        ("post", f"/api/v1/wallet/withdrawals/{uuid.uuid4()}/reject"),
    ],
)
def test_a_token_whose_subject_is_not_a_user_id_is_401_not_authenticated(
    client: Client, auth_headers: Headers, method: str, path: str
) -> None:
    headers = auth_headers("robot-1", roles=["user", "staff"])

    response = getattr(client, method)(
        path, data={}, content_type="application/json", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex, **headers
    )

    assert response.status_code == 401
    assert response.json()["error"]["type"] == "authentication_error"
    assert response.json()["error"]["code"] == "not_authenticated"
    assert WalletAddress.objects.count() == 0
    assert Withdrawal.objects.count() == 0
    assert OutboxEvent.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_calls_give_one_address_and_users_never_share_an_index(
    platform_accounts: None,
) -> None:
    user_id = uuid.uuid4()
    others = [uuid.uuid4() for _ in range(6)]
    results: list[str] = []
    errors: list[BaseException] = []

    def call(uid: uuid.UUID) -> None:
        try:
            results.append(deposit_address_get_or_create(user_id=uid).address)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=call, args=(user_id,)) for _ in range(6)]
    threads += [threading.Thread(target=call, args=(uid,)) for uid in others]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert WalletAddress.objects.filter(user_id=user_id).count() == 1
    indexes = list(WalletAddress.objects.filter(chain=0).values_list("derivation_index", flat=True))
    assert len(indexes) == 7 == len(set(indexes))


# -- deposits list -----------------------------------------------------------------------------------


def test_deposits_list_shows_incoming_then_credited_with_confirmations(
    client: Client, auth_headers: Headers, node: NodeHarness, follower: Follower, settings: Any
) -> None:
    settings.DEPOSIT_CONFIRMATIONS = 2
    user_id = uuid.uuid4()
    address = client.get("/api/v1/wallet/deposit-address", **auth_headers(user_id)).json()["address"]
    txid = node.send(address, 12_500_000)
    follower.step()

    [pending] = client.get("/api/v1/wallet/deposits", **auth_headers(user_id)).json()["data"]
    assert (pending["txid"], pending["amount_koinu"], pending["status"], pending["confirmations"]) == (
        txid,
        "12500000",
        "pending",
        0,
    )
    assert pending["required_confirmations"] == 2

    node.mine(1)
    follower.step()
    [confirming] = client.get("/api/v1/wallet/deposits", **auth_headers(user_id)).json()["data"]
    assert (confirming["status"], confirming["confirmations"]) == ("confirming", 1)

    node.mine(1)
    follower.step()
    page = client.get("/api/v1/wallet/deposits", **auth_headers(user_id)).json()
    assert page["has_more"] is False
    [credited] = page["data"]
    assert (credited["status"], credited["confirmations"]) == ("credited", 2)
    assert credited["credited_at"] is not None
    # Another user sees none of it.
    assert client.get("/api/v1/wallet/deposits", **auth_headers(uuid.uuid4())).json()["data"] == []


# -- withdrawal quote and request ---------------------------------------------------------------------


def test_quote_is_one_started_kb_of_a_one_input_two_output_transaction(
    client: Client, auth_headers: Headers
) -> None:
    response = client.get(
        "/api/v1/wallet/withdrawals/quote?amount_koinu=25000000", **auth_headers(uuid.uuid4())
    )
    assert response.status_code == 200
    assert response.json() == {
        "amount_koinu": "25000000",
        "fee_koinu": "1000000",
        "total_koinu": "26000000",
        "estimated_size_bytes": 226,
        "fee_per_kb_koinu": "1000000",
    }


def test_withdrawal_request_holds_amount_plus_fee(
    client: Client, auth_headers: Headers, funded_user: Callable[[int], uuid.UUID]
) -> None:
    user_id = funded_user(5 * UNIT)
    response = post_withdrawal(
        client, auth_headers(user_id), {"address": REGTEST_DEST, "amount_koinu": "20000000"}
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["amount_koinu"], body["fee_koinu"], body["txid"]) == (
        "approved",
        "20000000",
        "1000000",
        None,
    )
    withdrawal = Withdrawal.objects.get(id=body["id"])
    hold = Transfer.objects.get(id=withdrawal.hold_transfer_id)
    assert (hold.kind, hold.amount_koinu, hold.debit_account_id, hold.credit_account_id) == (
        "pending",
        21_000_000,
        user_wallet_account_id(user_id),
        PlatformAccount.WITHDRAWALS_IN_FLIGHT.account_id,
    )
    assert available_koinu(user_id) == 5 * UNIT - 21_000_000
    [event] = OutboxEvent.objects.filter(detail_type="withdrawal.requested")
    assert event.payload["detail"]["data"] == {
        "withdrawal_id": body["id"],
        "user_id": str(user_id),
        "address": REGTEST_DEST,
        "amount_koinu": "20000000",
        "fee_koinu": "1000000",
        "status": "approved",
    }


def test_wallet_events_carry_the_request_correlation_id(
    client: Client, auth_headers: Headers, funded_user: Callable[[int], uuid.UUID], settings: Any
) -> None:
    settings.WITHDRAWAL_APPROVAL_THRESHOLD_KOINU = UNIT
    user_id = funded_user(5 * UNIT)
    staff = auth_headers(uuid.uuid4(), roles=["staff"])

    requested = post_withdrawal(
        client,
        {**auth_headers(user_id), "HTTP_X_CORRELATION_ID": "checkout-42"},
        {"address": REGTEST_DEST, "amount_koinu": str(2 * UNIT)},
    )
    rejected = client.post(
        f"/api/v1/wallet/withdrawals/{requested.json()['id']}/reject",
        data={"reason": "address on a sanctions list"},
        content_type="application/json",
        HTTP_X_CORRELATION_ID="review-7",
        **staff,
    )

    assert (requested.status_code, rejected.status_code) == (201, 200)
    events = OutboxEvent.objects.filter(detail_type__startswith="withdrawal.").order_by("created_at", "id")
    assert [
        (event.detail_type, event.payload["source"], event.payload["detail"]["metadata"]["correlation_id"])
        for event in events
    ] == [
        ("withdrawal.requested", "dbay.wallet", "checkout-42"),
        ("withdrawal.failed", "dbay.wallet", "review-7"),
    ]
    assert {event.payload["detail"]["metadata"]["producer"] for event in events} == {"wallet-service"}


def assert_refused_and_nothing_held(
    response: Any, user_id: uuid.UUID, before: tuple[int, int, int, int]
) -> None:
    assert Withdrawal.objects.filter(user_id=user_id).count() == 0
    assert wallet_counters(user_id) == before
    assert not OutboxEvent.objects.filter(detail_type="withdrawal.requested").exists()


@pytest.mark.parametrize(
    ("address", "code", "message"),
    [
        (
            "DBus3bamQjgJULBJtYXpEzDWQRwF5iwxgC",
            "invalid_address",
            "This is a Dogecoin mainnet address, but this service runs on regtest.",
        ),
        (
            "mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfm",
            "invalid_address",
            "The address has an invalid checksum: check it for typos.",
        ),
        ("not-an-address", "invalid_address", "Not a Dogecoin address: expected 26 to 35 base58 characters."),
    ],
)
def test_invalid_or_mainnet_address_is_a_clear_400(
    client: Client,
    auth_headers: Headers,
    funded_user: Callable[[int], uuid.UUID],
    address: str,
    code: str,
    message: str,
) -> None:
    user_id = funded_user(2 * UNIT)
    before = wallet_counters(user_id)
    response = post_withdrawal(
        client, auth_headers(user_id), {"address": address, "amount_koinu": "10000000"}
    )
    assert response.status_code == 400
    assert response.json() == {
        "error": {"type": "invalid_request", "code": code, "message": message, "param": "address"}
    }
    assert_refused_and_nothing_held(response, user_id, before)


def test_change_address_of_the_platform_is_refused(
    client: Client, auth_headers: Headers, funded_user: Callable[[int], uuid.UUID]
) -> None:
    from django.db import transaction

    from wallet_service.chain.services import change_address_create

    user_id = funded_user(2 * UNIT)
    with transaction.atomic():
        change = change_address_create()
    response = post_withdrawal(
        client, auth_headers(user_id), {"address": change.address, "amount_koinu": "10000000"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_address"


def test_dust_is_refused(
    client: Client, auth_headers: Headers, funded_user: Callable[[int], uuid.UUID]
) -> None:
    user_id = funded_user(2 * UNIT)
    before = wallet_counters(user_id)
    response = post_withdrawal(
        client, auth_headers(user_id), {"address": REGTEST_DEST, "amount_koinu": "999999"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "amount_below_dust"
    assert response.json()["error"]["param"] == "amount_koinu"
    assert_refused_and_nothing_held(response, user_id, before)
    # Exactly the minimum is accepted.
    ok = post_withdrawal(client, auth_headers(user_id), {"address": REGTEST_DEST, "amount_koinu": "1000000"})
    assert ok.status_code == 201


@pytest.mark.parametrize("token", ["no_mfa", "stale_mfa"])
def test_withdrawal_without_fresh_2fa_is_refused(
    client: Client, auth_headers: Headers, funded_user: Callable[[int], uuid.UUID], token: str
) -> None:
    user_id = funded_user(2 * UNIT)
    before = wallet_counters(user_id)
    headers = auth_headers(user_id, mfa=False) if token == "no_mfa" else auth_headers(user_id, mfa_age_s=301)
    response = post_withdrawal(client, headers, {"address": REGTEST_DEST, "amount_koinu": "10000000"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "mfa_required"
    assert_refused_and_nothing_held(response, user_id, before)


def test_withdrawal_needs_an_idempotency_key(
    client: Client, auth_headers: Headers, funded_user: Callable[[int], uuid.UUID]
) -> None:
    user_id = funded_user(2 * UNIT)
    before = wallet_counters(user_id)
    response = post_withdrawal(
        client, auth_headers(user_id), {"address": REGTEST_DEST, "amount_koinu": "10000000"}, key=""
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "idempotency_key_required"
    assert_refused_and_nothing_held(response, user_id, before)


def test_same_idempotency_key_is_one_withdrawal(
    client: Client, auth_headers: Headers, funded_user: Callable[[int], uuid.UUID]
) -> None:
    user_id = funded_user(5 * UNIT)
    body = {"address": REGTEST_DEST, "amount_koinu": "10000000"}
    first = post_withdrawal(client, auth_headers(user_id), body, key="k-1")
    again = post_withdrawal(client, auth_headers(user_id), body, key="k-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Withdrawal.objects.filter(user_id=user_id).count() == 1
    assert available_koinu(user_id) == 5 * UNIT - 11_000_000


def test_insufficient_funds_is_a_400_and_holds_nothing(
    client: Client, auth_headers: Headers, funded_user: Callable[[int], uuid.UUID]
) -> None:
    user_id = funded_user(UNIT)
    before = wallet_counters(user_id)
    # 1 UNIT + 0.01 UNIT fee > 1 UNIT.
    response = post_withdrawal(
        client, auth_headers(user_id), {"address": REGTEST_DEST, "amount_koinu": str(UNIT)}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "insufficient_funds"
    assert_refused_and_nothing_held(response, user_id, before)


def test_daily_velocity_limit(
    client: Client, auth_headers: Headers, funded_user: Callable[[int], uuid.UUID], settings: Any
) -> None:
    settings.WITHDRAWAL_DAILY_LIMIT_KOINU = 3 * UNIT
    user_id = funded_user(10 * UNIT)
    assert (
        post_withdrawal(
            client, auth_headers(user_id), {"address": REGTEST_DEST, "amount_koinu": str(2 * UNIT)}
        ).status_code
        == 201
    )
    before = wallet_counters(user_id)
    over = post_withdrawal(
        client, auth_headers(user_id), {"address": REGTEST_DEST, "amount_koinu": str(UNIT + 1)}
    )
    assert over.status_code == 400
    error = over.json()["error"]
    assert error["code"] == "velocity_limit_exceeded"
    assert error["message"] == (
        "This withdrawal would exceed your daily limit of 0.30000000 DOGE "
        "(0.10000000 DOGE left in the last 24 hours)."
    )
    assert Withdrawal.objects.filter(user_id=user_id).count() == 1 and wallet_counters(user_id) == before
    # Up to the limit exactly is fine; a rejected withdrawal does not count.
    assert (
        post_withdrawal(
            client, auth_headers(user_id), {"address": REGTEST_DEST, "amount_koinu": str(UNIT)}
        ).status_code
        == 201
    )


def test_above_threshold_waits_for_staff_who_can_approve_or_reject(
    client: Client, auth_headers: Headers, funded_user: Callable[[int], uuid.UUID], settings: Any
) -> None:
    settings.WITHDRAWAL_APPROVAL_THRESHOLD_KOINU = 2 * UNIT
    user_id = funded_user(10 * UNIT)
    big = post_withdrawal(
        client, auth_headers(user_id), {"address": REGTEST_DEST, "amount_koinu": str(3 * UNIT)}
    ).json()
    other = post_withdrawal(
        client, auth_headers(user_id), {"address": REGTEST_DEST, "amount_koinu": str(4 * UNIT)}
    ).json()
    assert big["status"] == other["status"] == "awaiting_approval"
    assert available_koinu(user_id) == 10 * UNIT - 7 * UNIT - 2_000_000  # both held meanwhile

    user_try = client.post(f"/api/v1/wallet/withdrawals/{big['id']}/approve", **auth_headers(user_id))
    assert user_try.status_code == 403
    staff_id = uuid.uuid4()
    staff = auth_headers(staff_id, roles=["staff"])
    approved = client.post(
        f"/api/v1/wallet/withdrawals/{big['id']}/approve",
        data={"note": "known customer"},
        content_type="application/json",
        **staff,
    )
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert Withdrawal.objects.get(id=big["id"]).reviewed_by == str(staff_id)
    twice = client.post(
        f"/api/v1/wallet/withdrawals/{big['id']}/reject",
        data={"reason": "too late"},
        content_type="application/json",
        **staff,
    )
    assert twice.status_code == 409  # approved cannot be rejected any more

    rejected = client.post(
        f"/api/v1/wallet/withdrawals/{other['id']}/reject",
        data={"note": "suspicious"},
        content_type="application/json",
        **staff,
    )
    assert rejected.status_code == 200
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["failure_reason"] == "rejected by staff: suspicious"
    assert available_koinu(user_id) == 10 * UNIT - 3 * UNIT - 1_000_000  # the rejected hold is voided
    hold = Withdrawal.objects.get(id=other["id"]).hold_transfer_id
    assert Transfer.objects.filter(pending_id=hold, kind="void_pending").count() == 1
    [failed] = OutboxEvent.objects.filter(detail_type="withdrawal.failed")
    assert failed.payload["detail"]["data"]["reason"] == "rejected"


def test_withdrawal_list_and_detail_are_the_callers_own(
    client: Client, auth_headers: Headers, funded_user: Callable[[int], uuid.UUID]
) -> None:
    user_id = funded_user(3 * UNIT)
    created = post_withdrawal(
        client, auth_headers(user_id), {"address": REGTEST_DEST, "amount_koinu": "10000000"}
    ).json()
    listed = client.get("/api/v1/wallet/withdrawals", **auth_headers(user_id)).json()
    assert [w["id"] for w in listed["data"]] == [created["id"]]
    assert (
        client.get(f"/api/v1/wallet/withdrawals/{created['id']}", **auth_headers(user_id)).json() == created
    )
    stranger = client.get(f"/api/v1/wallet/withdrawals/{created['id']}", **auth_headers(uuid.uuid4()))
    assert stranger.status_code == 404


def test_frozen_wallet_cannot_withdraw(
    client: Client, auth_headers: Headers, funded_user: Callable[[int], uuid.UUID]
) -> None:
    from wallet_service.ledger.services import account_freeze

    user_id = funded_user(3 * UNIT)
    account_freeze(account_id=user_wallet_account_id(user_id), reason="review")
    response = post_withdrawal(
        client, auth_headers(user_id), {"address": REGTEST_DEST, "amount_koinu": "10000000"}
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "account_frozen"
    assert Withdrawal.objects.filter(user_id=user_id).count() == 0
    assert Account.objects.get(id=user_wallet_account_id(user_id)).debits_pending == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_withdrawals_of_most_of_the_balance_only_one_succeeds(
    platform_accounts: None, funded_user: Callable[[int], uuid.UUID]
) -> None:
    from wallet_service.chain.services import withdrawal_request
    from wallet_service.ledger.errors import InsufficientFunds
    from wallet_service.ledger.selectors import ledger_sum

    user_id = funded_user(10 * UNIT)  # B = 1 DOGE; each request asks 0.6 B (+ fee)
    outcomes: list[str] = []
    lock = threading.Lock()

    def request() -> None:
        try:
            withdrawal_request(
                email_verified=True,
                user_id=user_id,
                address=REGTEST_DEST,
                amount_koinu=6 * UNIT,
                idempotency_key=uuid.uuid4().hex,
            )
            outcome = "ok"
        except InsufficientFunds:
            outcome = "insufficient_funds"
        except BaseException as error:  # pragma: no cover - reported below
            outcome = repr(error)
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=request) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["insufficient_funds"] * 19 + ["ok"]
    assert Withdrawal.objects.filter(user_id=user_id).count() == 1
    assert wallet_counters(user_id) == (0, 10 * UNIT, 6 * UNIT + 1_000_000, 0)
    assert ledger_sum() == 0
