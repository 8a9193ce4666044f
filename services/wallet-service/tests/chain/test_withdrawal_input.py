"""What a user types before a withdrawal: amounts (too large, not a number), the address checked
before the 2FA step, the largest withdrawal possible, and the deposit URI."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from dbay_common.django.outbox.models import OutboxEvent
from wallet_service.amounts import MAX_BALANCE_KOINU
from wallet_service.chain.models import Withdrawal
from wallet_service.chain.services import deposit_address_get_or_create

from .conftest import UNIT, wallet_counters

pytestmark = pytest.mark.django_db

Headers = Callable[..., dict[str, str]]
REGTEST_DEST = "mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn"
MAINNET_DEST = "DH5yaieqoZN36fDVciNyRueRGvGLR3mr7L"
FEE = 1_000_000
TOO_LARGE = {
    "type": "invalid_request",
    "code": "amount_too_large",
    "message": "The amount is larger than any balance can be.",
    "param": "amount_koinu",
}


def quote(client: Client, headers: dict[str, str], **params: str) -> Any:
    return client.get("/api/v1/wallet/withdrawals/quote", params, **headers)


@pytest.mark.parametrize(
    "amount",
    [
        str(2**63 - 1),  # the reported 500: amount + fee overflowed
        str(MAX_BALANCE_KOINU - FEE + 1),  # the smallest amount whose total passes the largest balance
        "9" * 40,  # more digits than any 64-bit amount
    ],
)
def test_quote_of_an_amount_past_the_largest_balance_is_a_plain_400(
    client: Client, auth_headers: Headers, amount: str
) -> None:
    response = quote(client, auth_headers(uuid.uuid4()), amount_koinu=amount)

    assert response.status_code == 400
    assert response.json() == {"error": TOO_LARGE}


def test_quote_of_the_largest_amount_possible_is_answered(client: Client, auth_headers: Headers) -> None:
    response = quote(client, auth_headers(uuid.uuid4()), amount_koinu=str(MAX_BALANCE_KOINU - FEE))

    assert response.status_code == 200
    assert response.json()["total_koinu"] == str(MAX_BALANCE_KOINU)


@pytest.mark.parametrize(
    ("amount", "code", "message"),
    [
        (
            "12abc",
            "invalid_amount",
            "Enter the amount as a whole number of koinu (1 DOGE = 100,000,000 koinu).",
        ),
        (
            "1.5",
            "invalid_amount",
            "Enter the amount as a whole number of koinu (1 DOGE = 100,000,000 koinu).",
        ),
        ("-5", "invalid_amount", "The amount must not be negative."),
        ("-" + "9" * 30, "invalid_amount", "The amount must not be negative."),
    ],
)
def test_amounts_that_are_not_numbers_get_plain_messages(
    client: Client, auth_headers: Headers, amount: str, code: str, message: str
) -> None:
    response = quote(client, auth_headers(uuid.uuid4()), amount_koinu=amount)

    assert response.status_code == 400
    assert response.json() == {
        "error": {"type": "invalid_request", "code": code, "message": message, "param": "amount_koinu"}
    }
    assert "koinu amount" not in response.json()["error"]["message"]


@pytest.mark.parametrize("amount", [str(2**63 - 1), "9" * 40, 2**63 - 1])
def test_withdrawal_of_an_amount_past_the_largest_balance_is_a_plain_400_and_holds_nothing(
    client: Client, auth_headers: Headers, funded_user: Callable[[int], uuid.UUID], amount: Any
) -> None:
    user_id = funded_user(2 * UNIT)
    before = wallet_counters(user_id)

    response = client.post(
        "/api/v1/wallet/withdrawals",
        data={"address": REGTEST_DEST, "amount_koinu": amount},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
        **auth_headers(user_id),
    )

    assert response.status_code == 400
    assert response.json() == {"error": TOO_LARGE}
    assert wallet_counters(user_id) == before
    assert not Withdrawal.objects.filter(user_id=user_id).exists()
    assert not OutboxEvent.objects.filter(detail_type="withdrawal.requested").exists()


# -- the address, before the 2FA step ----------------------------------------------------------------------


def address_check(client: Client, headers: dict[str, str], address: str) -> Any:
    return client.get("/api/v1/wallet/withdrawals/address-check", {"address": address}, **headers)


def test_a_good_address_passes_the_check(client: Client, auth_headers: Headers) -> None:
    response = address_check(client, auth_headers(uuid.uuid4(), mfa=False), REGTEST_DEST)

    assert response.status_code == 200
    assert response.json() == {"address": REGTEST_DEST, "network": "regtest"}


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("hello", "Not a Dogecoin address: expected 26 to 35 base58 characters."),
        (MAINNET_DEST, "This is a Dogecoin mainnet address, but this service runs on regtest."),
        (REGTEST_DEST[:-1] + "m", "The address has an invalid checksum: check it for typos."),
    ],
)
def test_bad_addresses_are_refused_before_any_2fa_code(
    client: Client, auth_headers: Headers, address: str, message: str
) -> None:
    headers = auth_headers(uuid.uuid4(), mfa=False)  # no TOTP check yet: the web app asks first

    checked = address_check(client, headers, address)
    quoted = quote(client, headers, amount_koinu=str(UNIT), address=address)

    expected = {
        "error": {
            "type": "invalid_request",
            "code": "invalid_address",
            "message": message,
            "param": "address",
        }
    }
    assert (checked.status_code, checked.json()) == (400, expected)
    assert (quoted.status_code, quoted.json()) == (400, expected)


def test_own_deposit_address_is_refused_by_the_check_and_the_withdrawal(
    client: Client, auth_headers: Headers, funded_user: Callable[[int], uuid.UUID]
) -> None:
    user_id = funded_user(2 * UNIT)
    own = deposit_address_get_or_create(user_id=user_id).address
    message = (
        "This is one of your own deposit addresses: DOGE sent there would come straight back to your wallet."
    )

    checked = address_check(client, auth_headers(user_id, mfa=False), own)
    requested = client.post(
        "/api/v1/wallet/withdrawals",
        data={"address": own, "amount_koinu": str(UNIT)},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
        **auth_headers(user_id),
    )
    other_user = address_check(client, auth_headers(uuid.uuid4(), mfa=False), own)

    assert checked.status_code == requested.status_code == 400
    assert checked.json()["error"]["message"] == requested.json()["error"]["message"] == message
    assert not Withdrawal.objects.filter(user_id=user_id).exists()
    assert other_user.status_code == 200  # another user's deposit address is a normal destination


# -- "Max" -------------------------------------------------------------------------------------------------


def test_max_quote_is_the_available_balance_minus_the_fee_and_can_be_withdrawn(
    client: Client, auth_headers: Headers, funded_user: Callable[[int], uuid.UUID]
) -> None:
    user_id = funded_user(3 * UNIT)

    response = quote(client, auth_headers(user_id), max="true")

    assert response.status_code == 200
    assert response.json() == {
        "amount_koinu": str(3 * UNIT - FEE),
        "fee_koinu": str(FEE),
        "total_koinu": str(3 * UNIT),
        "estimated_size_bytes": 226,
        "fee_per_kb_koinu": str(FEE),
    }
    requested = client.post(
        "/api/v1/wallet/withdrawals",
        data={"address": REGTEST_DEST, "amount_koinu": response.json()["amount_koinu"]},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
        **auth_headers(user_id),
    )
    assert requested.status_code == 201
    assert wallet_counters(user_id) == (0, 3 * UNIT, 3 * UNIT, 0)


def test_max_quote_with_too_little_is_a_plain_400(client: Client, auth_headers: Headers) -> None:
    response = quote(client, auth_headers(uuid.uuid4()), max="true")

    assert response.status_code == 400
    assert response.json()["error"] == {
        "type": "invalid_request",
        "code": "insufficient_funds",
        "message": "Your available balance (0.00000000 DOGE) is too small: a withdrawal needs at least "
        "0.01000000 DOGE plus the 0.01000000 DOGE network fee.",
        "param": "amount_koinu",
    }


def test_quote_needs_an_amount_or_max(client: Client, auth_headers: Headers) -> None:
    response = quote(client, auth_headers(uuid.uuid4()))

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "required"


# -- the deposit URI ---------------------------------------------------------------------------------------


def test_deposit_address_uri_is_bip21_with_an_optional_amount(client: Client, auth_headers: Headers) -> None:
    headers = auth_headers(uuid.uuid4(), mfa=False)
    plain = client.get("/api/v1/wallet/deposit-address", **headers).json()

    with_amount = client.get("/api/v1/wallet/deposit-address", {"amount_koinu": "150000000"}, **headers)

    assert plain["uri"] == f"dogecoin:{plain['address']}"
    assert with_amount.json()["uri"] == f"dogecoin:{plain['address']}?amount=1.5"
    assert client.get("/api/v1/wallet/deposit-address", {"amount_koinu": "x"}, **headers).status_code == 400
