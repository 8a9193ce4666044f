"""The node client: the documented subset only, Decimal amounts, errors mapped."""

from __future__ import annotations

from decimal import Decimal

import pytest

from wallet_service.chain.rpc import (
    MethodNotAllowed,
    NodeClient,
    NodeUnavailable,
    RpcError,
    coins_from_koinu,
    koinu_from_coins,
)


def test_calls_outside_the_subset_are_refused_before_any_request(closed_port: int) -> None:
    client = NodeClient(f"http://u:p@127.0.0.1:{closed_port}/")  # nothing listens: no request is made
    for method in ("listunspent", "createwallet", "generatetoaddress", "sendtoaddress", "importaddress"):
        with pytest.raises(MethodNotAllowed):
            client.call(method)
    with pytest.raises(MethodNotAllowed):
        client.batch([("getblockcount", ()), ("listunspent", ())])


def test_unreachable_node_is_node_unavailable(closed_port: int) -> None:
    with pytest.raises(NodeUnavailable, match="unreachable"):
        NodeClient(f"http://u:p@127.0.0.1:{closed_port}/", timeout_s=1).get_block_count()


def test_wrong_credentials_are_node_unavailable_without_echoing_them(dogecoin_rpc_url: str) -> None:
    wrong = dogecoin_rpc_url.replace("dbay:dbay@", "dbay:not-the-password@")
    with pytest.raises(NodeUnavailable) as error:
        NodeClient(wrong).get_block_count()
    assert "not-the-password" not in str(error.value)


def test_rpc_errors_carry_code_and_message(dogecoin_rpc_url: str) -> None:
    client = NodeClient(dogecoin_rpc_url)
    assert client.get_raw_transaction("00" * 32) is None  # -5 mapped to "unknown"
    assert client.get_block_hash(10**9) is None  # -8 mapped to "above the tip"
    with pytest.raises(RpcError) as error:
        client.call("getblockheader", "zz")
    assert error.value.code in (-8, -5) and error.value.method == "getblockheader"


def test_amounts_are_decimal_and_converted_exactly(dogecoin_rpc_url: str) -> None:
    client = NodeClient(dogecoin_rpc_url)
    block = client.get_block(client.get_block_hash(1) or "")
    coinbase = client.get_raw_transaction(block["tx"][0])
    assert coinbase is not None
    value = coinbase["vout"][0]["value"]
    assert isinstance(value, Decimal)
    assert koinu_from_coins(value) > 0


def test_batch_returns_each_answer_in_order_with_errors_in_place(dogecoin_rpc_url: str) -> None:
    client = NodeClient(dogecoin_rpc_url)
    height, unknown, best = client.batch(
        [("getblockcount", ()), ("getrawtransaction", ("00" * 32, 1)), ("getbestblockhash", ())]
    )
    assert isinstance(height, int) and height >= 1
    assert isinstance(unknown, RpcError) and unknown.code == -5
    assert best == client.get_best_block_hash()


def test_koinu_conversion_refuses_floats_and_fractions_of_a_koinu() -> None:
    assert koinu_from_coins(Decimal("1.5")) == 150_000_000
    assert koinu_from_coins(Decimal("0.00000001")) == 1
    assert koinu_from_coins(Decimal("0E-8")) == 0
    assert coins_from_koinu(150_000_001) == Decimal("1.50000001")
    with pytest.raises(TypeError):
        koinu_from_coins(1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not a whole number of koinu"):
        koinu_from_coins(Decimal("0.000000001"))
