"""Transaction building: the fee policy on the exact size, change versus dust, signatures the node accepts."""

from __future__ import annotations

import pytest

from wallet_service.chain.keys import hash160
from wallet_service.chain.rpc import NodeClient, koinu_from_coins
from wallet_service.chain.transactions import (
    DUST_KOINU,
    InsufficientHotFunds,
    SpendableInput,
    TxOutput,
    build_and_sign,
    estimated_size,
    fee_for_size,
    p2pkh_script,
    withdrawal_quote_size,
)

KEY = bytes.fromhex("11" * 32)
OTHER = p2pkh_script(bytes(20))
CHANGE = p2pkh_script(b"\x01" * 20)


def spend(amount: int, vout: int = 0) -> SpendableInput:
    return SpendableInput(txid="ab" * 32, vout=vout, amount_koinu=amount, private_key=KEY)


@pytest.mark.parametrize(
    ("size", "fee"),
    [(1, 1_000_000), (226, 1_000_000), (1000, 1_000_000), (1001, 2_000_000), (2500, 3_000_000)],
)
def test_fee_is_one_hundredth_doge_per_started_kb(size: int, fee: int) -> None:
    assert fee_for_size(size) == fee


def test_quote_size_is_a_standard_one_input_two_output_transaction() -> None:
    assert withdrawal_quote_size() == 226 == estimated_size(input_count=1, output_scripts=[OTHER, CHANGE])


def test_change_above_dust_gets_an_output_and_the_exact_fee() -> None:
    signed = build_and_sign(
        inputs=[spend(50_000_000)], payments=[TxOutput(20_000_000, OTHER)], change_script=CHANGE
    )
    assert signed.fee_koinu == fee_for_size(signed.size) == 1_000_000
    assert (signed.change_vout, signed.change_amount_koinu) == (1, 29_000_000)
    assert signed.size <= estimated_size(input_count=1, output_scripts=[OTHER, CHANGE])


def test_change_below_dust_is_left_to_the_fee_never_a_dust_output() -> None:
    total = 20_000_000 + 1_000_000 + DUST_KOINU - 1
    signed = build_and_sign(
        inputs=[spend(total)], payments=[TxOutput(20_000_000, OTHER)], change_script=CHANGE
    )
    assert (signed.change_vout, signed.change_amount_koinu) == (None, 0)
    assert signed.fee_koinu == total - 20_000_000 >= fee_for_size(signed.size)


def test_inputs_that_cannot_pay_the_fee_are_refused() -> None:
    with pytest.raises(InsufficientHotFunds):
        build_and_sign(
            inputs=[spend(20_500_000)], payments=[TxOutput(20_000_000, OTHER)], change_script=CHANGE
        )


def test_payments_below_dust_are_refused() -> None:
    with pytest.raises(ValueError, match="dust"):
        build_and_sign(
            inputs=[spend(50_000_000)], payments=[TxOutput(DUST_KOINU - 1, OTHER)], change_script=CHANGE
        )


def test_the_node_decodes_what_we_serialize(dogecoin_rpc_url: str) -> None:
    signed = build_and_sign(
        inputs=[spend(30_000_000, 0), spend(30_000_000, 1)],
        payments=[TxOutput(20_000_000, OTHER), TxOutput(15_000_000, p2pkh_script(b"\x02" * 20))],
        change_script=CHANGE,
    )
    decoded = NodeClient(dogecoin_rpc_url).call("decoderawtransaction", signed.raw.hex())
    assert decoded["txid"] == signed.txid
    assert decoded["version"] == 1 and decoded["locktime"] == 0
    assert [(vin["txid"], vin["vout"]) for vin in decoded["vin"]] == [("ab" * 32, 0), ("ab" * 32, 1)]
    pubkey = spend(1).public_key
    for vin in decoded["vin"]:
        signature_hex, pubkey_hex = vin["scriptSig"]["asm"].split(" ")
        assert signature_hex.endswith("[ALL]") and bytes.fromhex(pubkey_hex) == pubkey
    assert [(koinu_from_coins(out["value"]), out["scriptPubKey"]["hex"]) for out in decoded["vout"]] == [
        (20_000_000, OTHER.hex()),
        (15_000_000, p2pkh_script(b"\x02" * 20).hex()),
        (60_000_000 - 35_000_000 - signed.fee_koinu, CHANGE.hex()),
    ]
    assert hash160(pubkey) == spend(1).script_pubkey[3:23]
