"""The ledger's HTTP API: users' balance and history, other services' holds and transfers."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from wallet_service.ledger import services
from wallet_service.ledger.chart import idempotency_key_transfer_id, onward_transfer_id
from wallet_service.ledger.models import Account, Transfer

from .ledger_helpers import (
    BID_HOLDS,
    CUSTODY,
    FEE_REVENUE,
    ORDER_ESCROW,
    assert_ledger_sound,
    counters,
    deposit,
    ledger_state,
    new_wallet,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("jwt_settings")]

INTERNAL = "/api/v1/wallet/internal"


def iso(moment) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def post(client: Client, path: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
    return client.post(path, data=body, content_type="application/json", **headers)


def error(response: Any) -> dict[str, Any]:
    assert response["Content-Type"] == "application/json"
    return response.json()["error"]


@pytest.fixture
def user_headers(user_token_for):
    def headers(user_id: uuid.UUID) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {user_token_for(user_id)}"}

    return headers


# -- authentication --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/wallet/balance"),
        ("get", "/api/v1/wallet/transfers"),
        ("post", f"{INTERNAL}/holds"),
        ("get", f"{INTERNAL}/holds/{uuid.uuid4()}"),
        ("post", f"{INTERNAL}/holds/{uuid.uuid4()}/post"),
        ("post", f"{INTERNAL}/holds/{uuid.uuid4()}/void"),
        ("post", f"{INTERNAL}/transfers"),
    ],
)
def test_every_route_needs_a_token(client, method, path):
    response = getattr(client, method)(path, content_type="application/json")

    assert response.status_code == 401
    assert error(response)["type"] == "authentication_error"


def test_user_tokens_are_refused_by_the_internal_api_and_service_tokens_by_the_user_api(
    client, user_headers, service_headers
):
    internal = post(client, f"{INTERNAL}/transfers", {}, user_headers(uuid.uuid4()))
    user = client.get("/api/v1/wallet/balance", **service_headers)

    assert (internal.status_code, error(internal)["code"], error(internal)["message"]) == (
        401,
        "invalid_token",
        "token audience is not accepted",
    )
    assert (user.status_code, error(user)["code"]) == (401, "invalid_token")


def test_an_internal_token_without_the_service_role_is_forbidden(client, make_token):
    token = make_token(sub="auction-service", aud="dbay-internal", roles=["user"])

    response = client.get(f"{INTERNAL}/holds/{uuid.uuid4()}", HTTP_AUTHORIZATION=f"Bearer {token}")

    assert (response.status_code, error(response)["code"]) == (403, "permission_denied")


# -- users -----------------------------------------------------------------------------------------------


def test_balance_shows_available_held_with_its_holds_and_incoming(client, user_headers):
    wallet = new_wallet(250_000_000)
    bid = services.transfer_create(
        transfer_id=uuid.uuid4(),
        debit_account_id=wallet.id,
        credit_account_id=BID_HOLDS,
        amount_koinu=100_000_000,
        reason="bid_hold",
        reference={"auction_id": "a-1"},
        pending=True,
        timeout_s=600,
    )
    escrow = services.transfer_create(
        transfer_id=uuid.uuid4(),
        debit_account_id=wallet.id,
        credit_account_id=ORDER_ESCROW,
        amount_koinu=50_000_000,
        reason="order_escrow",
        reference={"order_id": "o-1"},
        pending=True,
    )

    response = client.get("/api/v1/wallet/balance", **user_headers(wallet.user_id))

    assert response.status_code == 200
    body = response.json()
    # Holds are listed oldest first (ties by id).
    assert [hold["hold_id"] for hold in body["holds"]] == [
        str(t.id) for t in sorted([bid, escrow], key=lambda t: (t.created_at, t.id))
    ]
    body["holds"].sort(key=lambda hold: hold["reason"])
    assert body == {
        "user_id": str(wallet.user_id),
        "available_koinu": "100000000",
        "available": "1.00000000",
        "held_koinu": "150000000",
        "held": "1.50000000",
        "incoming_koinu": "0",
        "incoming": "0.00000000",
        "is_frozen": False,
        "held_by_reason": [
            {"reason": "bid_hold", "amount_koinu": "100000000", "amount": "1.00000000"},
            {"reason": "order_escrow", "amount_koinu": "50000000", "amount": "0.50000000"},
        ],
        "holds": [
            {
                "hold_id": str(bid.id),
                "amount_koinu": "100000000",
                "amount": "1.00000000",
                "reason": "bid_hold",
                "reference": {"auction_id": "a-1"},
                "holding_account": "bid_holds",
                "created_at": iso(bid.created_at),
                "expires_at": iso(bid.timeout_at),
            },
            {
                "hold_id": str(escrow.id),
                "amount_koinu": "50000000",
                "amount": "0.50000000",
                "reason": "order_escrow",
                "reference": {"order_id": "o-1"},
                "holding_account": "order_escrow",
                "created_at": iso(escrow.created_at),
                "expires_at": None,
            },
        ],
    }


@pytest.mark.parametrize("path", ["/api/v1/wallet/balance", "/api/v1/wallet/transfers"])
def test_a_token_whose_subject_is_not_a_user_id_is_401_not_authenticated(client, make_token, path):
    response = client.get(path, HTTP_AUTHORIZATION=f"Bearer {make_token(sub='robot', roles=['user'])}")

    assert response.status_code == 401
    assert (error(response)["type"], error(response)["code"]) == ("authentication_error", "not_authenticated")
    assert Account.objects.filter(kind="user_wallet").count() == 0


def test_history_lists_each_transfer_with_direction_status_and_counterparty(client, user_headers):
    wallet = new_wallet()
    other = new_wallet()
    credit = deposit(wallet.id, 1_000)
    held = services.transfer_create(
        transfer_id=uuid.uuid4(),
        debit_account_id=wallet.id,
        credit_account_id=BID_HOLDS,
        amount_koinu=300,
        reason="bid_hold",
        reference={"auction_id": "a-1"},
        pending=True,
    )
    void = services.transfer_void_pending(transfer_id=uuid.uuid4(), pending_id=held.id)
    sent = services.transfer_create(
        transfer_id=uuid.uuid4(),
        debit_account_id=wallet.id,
        credit_account_id=other.id,
        amount_koinu=200,
        reason="transfer",
    )

    response = client.get("/api/v1/wallet/transfers?limit=2", **user_headers(wallet.user_id))
    rest = client.get(
        f"/api/v1/wallet/transfers?limit=2&starting_after={response.json()['data'][-1]['id']}",
        **user_headers(wallet.user_id),
    )
    only_holds = client.get("/api/v1/wallet/transfers?reason=bid_hold", **user_headers(wallet.user_id))

    expected = {
        credit.id: {
            "kind": "single",
            "direction": "in",
            "amount_koinu": "1000",
            "amount": "0.00001000",
            "status": "posted",
            "reason": "deposit",
            "reference": credit.reference,
            "counterparty": "custody",
            "pending_id": None,
            "signed_amount_koinu": "1000",
        },
        held.id: {
            "kind": "pending",
            "direction": "out",
            "amount_koinu": "300",
            "amount": "0.00000300",
            "status": "voided",
            "reason": "bid_hold",
            "reference": {"auction_id": "a-1"},
            "counterparty": "bid_holds",
            "pending_id": None,
            "signed_amount_koinu": "0",
        },
        void.id: {
            "kind": "void_pending",
            "direction": "out",
            "amount_koinu": "300",
            "amount": "0.00000300",
            "status": "voided",
            "reason": "bid_hold",
            "reference": {"auction_id": "a-1"},
            "counterparty": "bid_holds",
            "pending_id": str(held.id),
            "signed_amount_koinu": "0",
        },
        sent.id: {
            "kind": "single",
            "direction": "out",
            "amount_koinu": "200",
            "amount": "0.00000200",
            "status": "posted",
            "reason": "transfer",
            "reference": {},
            "counterparty": "user",
            "pending_id": None,
            "signed_amount_koinu": "-200",
        },
    }
    made = sorted([credit, held, void, sent], key=lambda t: (t.created_at, t.id), reverse=True)
    items = response.json()["data"] + rest.json()["data"]
    assert (response.status_code, response.json()["has_more"], rest.json()["has_more"]) == (200, True, False)
    assert items == [{"id": str(t.id), **expected[t.id], "created_at": iso(t.created_at)} for t in made]
    assert [item["id"] for item in only_holds.json()["data"]] == [
        str(t.id) for t in made if t.reason == "bid_hold"
    ]
    other_view = client.get("/api/v1/wallet/transfers", **user_headers(other.user_id)).json()["data"]
    assert [(item["id"], item["direction"], item["counterparty"]) for item in other_view] == [
        (str(sent.id), "in", "user")
    ]


@pytest.mark.parametrize(
    ("query", "param", "code"),
    [
        ("reason=Not%20A%20Code", "reason", "invalid_reason"),
        ("limit=0", "limit", None),
        (f"starting_after={uuid.uuid4()}", "starting_after", "invalid_cursor"),
        ("ending_before=nope", "ending_before", "invalid_cursor"),
    ],
)
def test_history_rejects_bad_parameters(client, user_headers, query, param, code):
    wallet = new_wallet(10)

    response = client.get(f"/api/v1/wallet/transfers?{query}", **user_headers(wallet.user_id))

    assert response.status_code == 400
    assert error(response)["param"] == param
    if code:
        assert error(response)["code"] == code


# -- holds -----------------------------------------------------------------------------------------------


def hold_body(owner: uuid.UUID, **changes: Any) -> dict[str, Any]:
    return {
        "hold_id": str(uuid.uuid4()),
        "user_id": str(owner),
        "amount_koinu": "600",
        "reason": "bid_hold",
        "reference": {"auction_id": "a-1"},
        **changes,
    }


def test_a_hold_is_created_looked_up_posted_in_part_onwards_and_replayed(client, service_headers):
    wallet = new_wallet(1_000)
    body = hold_body(wallet.user_id, expires_in_s=600)

    created = post(client, f"{INTERNAL}/holds", body, service_headers)

    assert created.status_code == 201
    transfer = Transfer.objects.get(id=body["hold_id"])
    expected = {
        "hold_id": body["hold_id"],
        "user_id": str(wallet.user_id),
        "amount_koinu": "600",
        "amount": "0.00000600",
        "reason": "bid_hold",
        "reference": {"auction_id": "a-1"},
        "holding_account": "bid_holds",
        "status": "pending",
        "posted_koinu": "0",
        "released_koinu": "0",
        "resolution_id": None,
        "destination": None,
        "created_at": iso(transfer.created_at),
        "expires_at": iso(transfer.created_at + timedelta(seconds=600)),
        "resolved_at": None,
    }
    assert created.json() == expected
    assert counters(wallet.id) == (0, 1_000, 600, 0)
    looked_up = client.get(f"{INTERNAL}/holds/{body['hold_id']}", **service_headers)
    assert (looked_up.status_code, looked_up.json()) == (200, expected)
    replay = post(client, f"{INTERNAL}/holds", body, service_headers)
    assert (replay.status_code, replay.json()) == (201, expected)

    post_id = str(uuid.uuid4())
    posted = post(
        client,
        f"{INTERNAL}/holds/{body['hold_id']}/post",
        {"post_id": post_id, "amount_koinu": "450", "destination_account": {"platform": "order_escrow"}},
        service_headers,
    )

    post_transfer = Transfer.objects.get(id=post_id)
    assert posted.status_code == 200
    assert posted.json() == {
        **expected,
        "status": "posted",
        "posted_koinu": "450",
        "released_koinu": "150",
        "resolution_id": post_id,
        "destination": {"platform": "order_escrow"},
        "resolved_at": iso(post_transfer.created_at),
    }
    assert Transfer.objects.filter(id=onward_transfer_id(uuid.UUID(post_id))).exists()
    assert counters(wallet.id) == (450, 1_000, 0, 0)
    assert counters(ORDER_ESCROW) == (0, 450, 0, 0)
    again = post(
        client,
        f"{INTERNAL}/holds/{body['hold_id']}/post",
        {"post_id": post_id, "amount_koinu": "450", "destination_account": {"platform": "order_escrow"}},
        service_headers,
    )
    assert (again.status_code, again.json()) == (200, posted.json())
    assert_ledger_sound()


def test_a_hold_posted_to_a_user_and_a_hold_voided(client, service_headers):
    buyer, seller = new_wallet(1_000), new_wallet()
    first, second = hold_body(buyer.user_id), hold_body(buyer.user_id, amount_koinu="100")
    post(client, f"{INTERNAL}/holds", first, service_headers)
    post(client, f"{INTERNAL}/holds", second, service_headers)

    posted = post(
        client,
        f"{INTERNAL}/holds/{first['hold_id']}/post",
        {"post_id": str(uuid.uuid4()), "destination_account": {"user_id": str(seller.user_id)}},
        service_headers,
    )
    void_id = str(uuid.uuid4())
    voided = post(client, f"{INTERNAL}/holds/{second['hold_id']}/void", {"void_id": void_id}, service_headers)
    twice = post(
        client, f"{INTERNAL}/holds/{second['hold_id']}/void", {"void_id": str(uuid.uuid4())}, service_headers
    )

    assert (posted.status_code, posted.json()["destination"], posted.json()["posted_koinu"]) == (
        200,
        {"user_id": str(seller.user_id)},
        "600",
    )
    assert (voided.status_code, voided.json()["status"], voided.json()["released_koinu"]) == (
        200,
        "voided",
        "100",
    )
    assert voided.json()["resolution_id"] == void_id
    assert (twice.status_code, error(twice)) == (
        409,
        {
            "type": "conflict",
            "code": "pending_transfer_already_voided",
            "message": "The pending transfer has already been voided.",
            "param": "hold_id",
        },
    )
    assert counters(buyer.id) == (600, 1_000, 0, 0)
    assert counters(seller.id) == (0, 600, 0, 0)
    assert_ledger_sound()


def test_a_hold_beyond_the_available_balance_is_a_clean_400_that_changes_nothing(client, service_headers):
    wallet = new_wallet(1_000)
    before = ledger_state()

    response = post(
        client, f"{INTERNAL}/holds", hold_body(wallet.user_id, amount_koinu="1001"), service_headers
    )
    nobody = post(client, f"{INTERNAL}/holds", hold_body(uuid.uuid4()), service_headers)

    assert (response.status_code, error(response)) == (
        400,
        {
            "type": "invalid_request",
            "code": "insufficient_funds",
            "message": "The account's available balance is insufficient for this amount.",
            "param": "amount_koinu",
        },
    )
    assert (nobody.status_code, error(nobody)["code"]) == (400, "insufficient_funds")
    assert ledger_state() == before


def test_a_hold_on_a_frozen_wallet_is_refused(client, service_headers):
    wallet = new_wallet(1_000)
    services.account_freeze(account_id=wallet.id, reason="review")
    before = ledger_state()

    response = post(client, f"{INTERNAL}/holds", hold_body(wallet.user_id), service_headers)

    assert (response.status_code, error(response)["type"], error(response)["code"]) == (
        403,
        "permission_error",
        "account_frozen",
    )
    assert ledger_state() == before


def test_a_hold_id_reused_for_something_else_is_a_conflict(client, service_headers):
    wallet = new_wallet(1_000)
    body = hold_body(wallet.user_id)
    post(client, f"{INTERNAL}/holds", body, service_headers)
    before = ledger_state()

    response = post(client, f"{INTERNAL}/holds", {**body, "amount_koinu": "601"}, service_headers)

    assert (response.status_code, error(response)["code"], error(response)["param"]) == (
        409,
        "transfer_id_conflict",
        "hold_id",
    )
    assert ledger_state() == before


@pytest.mark.parametrize(
    ("changes", "param", "code"),
    [
        ({"amount_koinu": "1.5"}, "amount_koinu", "invalid_amount"),
        ({"amount_koinu": 1.5}, "amount_koinu", "invalid_amount"),
        ({"amount_koinu": "0"}, "amount_koinu", "invalid_amount"),
        ({"reason": "withdrawal"}, "reason", "invalid_choice"),
        ({"user_id": "nobody"}, "user_id", "invalid_field"),
        ({"expires_in_s": 0}, "expires_in_s", "min_value"),
        ({"reference": {"price": 1.5}}, "reference", "invalid_transfer"),
        ({"hold_id": None}, "hold_id", "required"),
    ],
)
def test_bad_hold_requests_are_400s_naming_the_field(client, service_headers, changes, param, code):
    wallet = new_wallet(1_000)
    body = {key: value for key, value in hold_body(wallet.user_id, **changes).items() if value is not None}
    before = ledger_state()

    response = post(client, f"{INTERNAL}/holds", body, service_headers)

    assert (response.status_code, error(response)["param"], error(response)["code"]) == (400, param, code)
    assert ledger_state() == before


def test_an_idempotency_key_stands_in_for_the_body_id(client, service_headers):
    wallet = new_wallet(1_000)
    body = hold_body(wallet.user_id)
    del body["hold_id"]
    headers = {**service_headers, "HTTP_IDEMPOTENCY_KEY": "bid-42"}

    first = post(client, f"{INTERNAL}/holds", body, headers)
    second = post(client, f"{INTERNAL}/holds", body, headers)

    hold_id = idempotency_key_transfer_id(caller="auction-service", path=f"{INTERNAL}/holds", key="bid-42")
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json() == second.json()
    assert first.json()["hold_id"] == str(hold_id)
    assert counters(wallet.id) == (0, 1_000, 600, 0)
    conflicting = post(client, f"{INTERNAL}/holds", {**body, "amount_koinu": "1"}, headers)
    assert (conflicting.status_code, error(conflicting)["code"]) == (409, "transfer_id_conflict")


def test_holds_that_do_not_exist_and_expired_holds(client, service_headers):
    wallet = new_wallet(1_000)
    missing = client.get(f"{INTERNAL}/holds/{uuid.uuid4()}", **service_headers)
    single = Transfer.objects.get(credit_account_id=wallet.id)
    not_a_hold = client.get(f"{INTERNAL}/holds/{single.id}", **service_headers)
    hold = services.transfer_create(
        transfer_id=uuid.uuid4(),
        debit_account_id=wallet.id,
        credit_account_id=BID_HOLDS,
        amount_koinu=5,
        reason="bid_hold",
        pending=True,
        timeout_s=60,
    )
    services.transfers_void_expired(now=hold.timeout_at)

    expired = client.get(f"{INTERNAL}/holds/{hold.id}", **service_headers)
    post_expired = post(
        client, f"{INTERNAL}/holds/{hold.id}/post", {"post_id": str(uuid.uuid4())}, service_headers
    )

    assert (missing.status_code, error(missing)["code"]) == (404, "transfer_not_found")
    assert not_a_hold.status_code == 404
    assert (expired.json()["status"], expired.json()["released_koinu"]) == ("expired", "5")
    assert (post_expired.status_code, error(post_expired)["code"]) == (409, "pending_transfer_expired")


# -- transfers -------------------------------------------------------------------------------------------


def test_a_transfer_between_a_user_and_platform_accounts(client, service_headers):
    buyer = new_wallet(1_000)
    seller_id = uuid.uuid4()
    transfer_id = str(uuid.uuid4())
    body = {
        "transfer_id": transfer_id,
        "debit": {"user_id": str(buyer.user_id)},
        "credit": {"platform": "order_escrow"},
        "amount_koinu": "700",
        "reason": "order_escrow",
        "reference": {"order_id": "o-1"},
    }

    response = post(client, f"{INTERNAL}/transfers", body, service_headers)
    replay = post(client, f"{INTERNAL}/transfers", body, service_headers)
    payout = post(
        client,
        f"{INTERNAL}/transfers",
        {
            "transfer_id": str(uuid.uuid4()),
            "debit": {"platform": "order_escrow"},
            "credit": {"user_id": str(seller_id)},
            "amount_koinu": "650",
            "reason": "order_payout",
            "reference": {"order_id": "o-1"},
        },
        service_headers,
    )

    created_at = Transfer.objects.get(id=transfer_id).created_at
    assert response.status_code == 201
    assert response.json() == {
        "transfer_id": transfer_id,
        "debit": {"user_id": str(buyer.user_id)},
        "credit": {"platform": "order_escrow"},
        "amount_koinu": "700",
        "amount": "0.00000700",
        "reason": "order_escrow",
        "reference": {"order_id": "o-1"},
        "created_at": iso(created_at),
    }
    assert (replay.status_code, replay.json()) == (201, response.json())
    assert (payout.status_code, payout.json()["credit"]) == (201, {"user_id": str(seller_id)})
    assert counters(buyer.id) == (700, 1_000, 0, 0)
    assert counters(ORDER_ESCROW) == (650, 700, 0, 0)
    assert_ledger_sound()


@pytest.mark.parametrize(
    ("changes", "status", "param", "code"),
    [
        ({"debit": {"platform": "custody"}}, 400, "debit", "invalid_account"),
        ({"credit": {"platform": "suspense"}}, 400, "credit", "invalid_account"),
        ({"debit": {}}, 400, "debit", "invalid_account"),
        ({"debit": {"user_id": "x", "platform": "fee_revenue"}}, 400, "debit", "invalid_account"),
        ({"debit": "fee_revenue"}, 400, "debit", "invalid_account"),
        ({"reason": "deposit"}, 403, "reason", "reason_reserved"),
        ({"reason": "deposit_shortfall"}, 403, "reason", "reason_reserved"),
        ({"reason": "expired"}, 403, "reason", "reason_reserved"),
        ({"reason": "Not-A-Code"}, 400, "reason", "invalid_reason"),
        ({"amount_koinu": "1001"}, 400, "amount_koinu", "insufficient_funds"),
        (
            {"debit": {"platform": "fee_revenue"}, "credit": {"user_id": "SAME"}},
            400,
            "amount_koinu",
            "insufficient_funds",
        ),
        ({"credit": {"user_id": "SAME"}}, 400, "credit", "accounts_must_differ"),
    ],
)
def test_bad_transfers_are_refused_and_change_nothing(client, service_headers, changes, status, param, code):
    buyer = new_wallet(1_000)
    body = {
        "transfer_id": str(uuid.uuid4()),
        "debit": {"user_id": str(buyer.user_id)},
        "credit": {"platform": "fee_revenue"},
        "amount_koinu": "10",
        "reason": "fee",
        **changes,
    }
    if body["credit"] == {"user_id": "SAME"}:
        body["credit"] = {"user_id": str(buyer.user_id)}
    before = ledger_state()

    response = post(client, f"{INTERNAL}/transfers", body, service_headers)

    assert (response.status_code, error(response).get("param"), error(response)["code"]) == (
        status,
        param,
        code,
    )
    assert ledger_state() == before
    assert counters(FEE_REVENUE) == (0, 0, 0, 0)
    assert counters(CUSTODY)[0] == 1_000


def test_a_raised_bid_replaces_the_old_hold_in_one_step(client, service_headers):
    wallet = new_wallet(1_000)
    old = hold_body(wallet.user_id, amount_koinu="500")
    post(client, f"{INTERNAL}/holds", old, service_headers)
    raised = hold_body(wallet.user_id, amount_koinu="900", replaces_hold_id=old["hold_id"])
    too_much = hold_body(wallet.user_id, amount_koinu="1001", replaces_hold_id=raised["hold_id"])

    response = post(client, f"{INTERNAL}/holds", raised, service_headers)
    refused = post(client, f"{INTERNAL}/holds", too_much, service_headers)
    replay = post(client, f"{INTERNAL}/holds", raised, service_headers)

    assert (response.status_code, response.json()["status"], response.json()["amount_koinu"]) == (
        201,
        "pending",
        "900",
    )
    assert client.get(f"{INTERNAL}/holds/{old['hold_id']}", **service_headers).json()["status"] == "voided"
    assert (refused.status_code, error(refused)["code"]) == (400, "insufficient_funds")
    assert (replay.status_code, replay.json()) == (201, response.json())
    assert counters(wallet.id) == (0, 1_000, 900, 0)
    gone = post(
        client,
        f"{INTERNAL}/holds",
        hold_body(wallet.user_id, replaces_hold_id=old["hold_id"]),
        service_headers,
    )
    assert (gone.status_code, error(gone)["code"], error(gone)["param"]) == (
        409,
        "pending_transfer_already_voided",
        "replaces_hold_id",
    )
