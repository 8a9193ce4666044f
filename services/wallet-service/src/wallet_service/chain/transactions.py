"""Legacy (pre-SegWit) Dogecoin transactions: P2PKH inputs, fee policy, serialization and signing.

Dogecoin has no SegWit, so every transaction the wallet builds is the original format: version 1,
inputs spending P2PKH outputs with ``<DER signature + SIGHASH_ALL> <compressed pubkey>``, outputs to
P2PKH or P2SH scripts, locktime 0. Signatures are made with coincurve (libsecp256k1: RFC 6979 nonces,
low-S, as relay policy requires). The signature hash is the original algorithm: the input being
signed carries the previous output's script, the others an empty script, then the 4-byte hash type.

Fee policy (Dogecoin Core's recommendation, stricter than both nodes' relay minimum): 0.01 DOGE for
each started 1,000 bytes of the exact signed size, and no output below 0.01 DOGE.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass

import coincurve

from wallet_service.chain.keys import hash160, sha256d

FEE_PER_KB_KOINU = 1_000_000
DUST_KOINU = 1_000_000
SIGHASH_ALL = 1
TX_VERSION = 1
SEQUENCE_FINAL = 0xFFFFFFFF

# Size bounds, in bytes: version 4 + locktime 4 + two varints (1 byte up to 252 inputs/outputs).
TX_OVERHEAD_BYTES = 10
# outpoint 36 + script length 1 + (push 1 + DER signature up to 71 + hash type 1) + (push 1 + key 33)
# + sequence 4 = 148. libsecp256k1 signs low-S, so s has at most 32 bytes and the DER encoding at most
# 2 + (2 + 33) + (2 + 32) = 71 bytes.
P2PKH_INPUT_MAX_BYTES = 36 + 1 + 1 + 71 + 1 + 1 + 33 + 4
P2PKH_OUTPUT_BYTES = 8 + 1 + 25
P2SH_OUTPUT_BYTES = 8 + 1 + 23


def fee_for_size(size_bytes: int) -> int:
    """0.01 DOGE per started kB: 1..1000 bytes → 1,000,000 koinu; 1001..2000 → 2,000,000; ..."""
    if size_bytes <= 0:
        raise ValueError("a transaction has a positive size")
    return -(-size_bytes // 1000) * FEE_PER_KB_KOINU


def estimated_size(*, input_count: int, output_scripts: Sequence[bytes]) -> int:
    """Upper bound of a signed transaction's size with ``input_count`` P2PKH inputs."""
    if input_count > 252 or len(output_scripts) > 252:
        raise ValueError("more than 252 inputs or outputs would need a wider varint")
    outputs = sum(8 + 1 + len(script) for script in output_scripts)
    return TX_OVERHEAD_BYTES + input_count * P2PKH_INPUT_MAX_BYTES + outputs


def withdrawal_quote_size() -> int:
    """The estimated size a single withdrawal is quoted on: one input, a payment and a change output."""
    return TX_OVERHEAD_BYTES + P2PKH_INPUT_MAX_BYTES + 2 * P2PKH_OUTPUT_BYTES


# -- serialization ------------------------------------------------------------------------------------


def varint(n: int) -> bytes:
    if n < 0xFD:
        return bytes([n])
    if n <= 0xFFFF:
        return b"\xfd" + struct.pack("<H", n)
    if n <= 0xFFFFFFFF:
        return b"\xfe" + struct.pack("<I", n)
    return b"\xff" + struct.pack("<Q", n)


def push_data(data: bytes) -> bytes:
    if len(data) >= 0x4C:
        raise ValueError("only short pushes are used in P2PKH scriptSigs")
    return bytes([len(data)]) + data


def p2pkh_script(pubkey_hash: bytes) -> bytes:
    return b"\x76\xa9\x14" + pubkey_hash + b"\x88\xac"


@dataclass(frozen=True)
class SpendableInput:
    """An output of ours to spend: where it is, what it holds, and the key that unlocks it."""

    txid: str  # hex, as the node displays it (byte-reversed)
    vout: int
    amount_koinu: int
    private_key: bytes  # 32 bytes

    @property
    def public_key(self) -> bytes:
        return bytes(coincurve.PrivateKey(self.private_key).public_key.format(compressed=True))

    @property
    def script_pubkey(self) -> bytes:
        return p2pkh_script(hash160(self.public_key))

    def outpoint(self) -> bytes:
        return bytes.fromhex(self.txid)[::-1] + struct.pack("<I", self.vout)


@dataclass(frozen=True)
class TxOutput:
    amount_koinu: int
    script_pubkey: bytes

    def serialize(self) -> bytes:
        return struct.pack("<q", self.amount_koinu) + varint(len(self.script_pubkey)) + self.script_pubkey


def serialize(
    inputs: Sequence[SpendableInput], script_sigs: Sequence[bytes], outputs: Sequence[TxOutput]
) -> bytes:
    parts = [struct.pack("<i", TX_VERSION), varint(len(inputs))]
    for spent, script_sig in zip(inputs, script_sigs, strict=True):
        parts += [spent.outpoint(), varint(len(script_sig)), script_sig, struct.pack("<I", SEQUENCE_FINAL)]
    parts.append(varint(len(outputs)))
    parts += [output.serialize() for output in outputs]
    parts.append(struct.pack("<I", 0))  # locktime
    return b"".join(parts)


def signature_hash(inputs: Sequence[SpendableInput], outputs: Sequence[TxOutput], index: int) -> bytes:
    """The legacy SIGHASH_ALL digest for input ``index``."""
    scripts = [spent.script_pubkey if position == index else b"" for position, spent in enumerate(inputs)]
    return sha256d(serialize(inputs, scripts, outputs) + struct.pack("<I", SIGHASH_ALL))


def sign(inputs: Sequence[SpendableInput], outputs: Sequence[TxOutput]) -> bytes:
    """The fully signed transaction's bytes."""
    script_sigs = []
    for index, spent in enumerate(inputs):
        digest = signature_hash(inputs, outputs, index)
        signature = coincurve.PrivateKey(spent.private_key).sign(digest, hasher=None)
        script_sigs.append(push_data(signature + bytes([SIGHASH_ALL])) + push_data(spent.public_key))
    return serialize(inputs, script_sigs, outputs)


def txid_of(raw: bytes) -> str:
    return sha256d(raw)[::-1].hex()


@dataclass(frozen=True)
class SignedTransaction:
    raw: bytes
    txid: str
    fee_koinu: int
    change_vout: int | None
    change_amount_koinu: int

    @property
    def size(self) -> int:
        return len(self.raw)


class InsufficientHotFunds(Exception):  # noqa: N818
    """The selected outputs cannot pay the outputs plus the fee."""


def build_and_sign(
    *,
    inputs: Sequence[SpendableInput],
    payments: Sequence[TxOutput],
    change_script: bytes,
) -> SignedTransaction:
    """Sign a transaction paying ``payments`` from ``inputs``, change to ``change_script``.

    The fee is 0.01 DOGE per started kB of the *exact* signed size. Change at or above the dust
    policy becomes the last output; smaller change is left to the fee (never a dust output). Raises
    :class:`InsufficientHotFunds` when the inputs cannot cover payments plus fee.
    """
    if any(payment.amount_koinu < DUST_KOINU for payment in payments):
        raise ValueError("a payment below the dust policy")
    total_in = sum(spent.amount_koinu for spent in inputs)
    total_out = sum(payment.amount_koinu for payment in payments)
    with_change = [*payments, TxOutput(0, change_script)]
    fee = fee_for_size(
        estimated_size(input_count=len(inputs), output_scripts=[o.script_pubkey for o in with_change])
    )
    change = total_in - total_out - fee
    if change >= DUST_KOINU:
        # Sign with the upper-bound fee, then settle on the exact size: the change output's value
        # does not change the size, but a new signature can differ by a byte, so loop until stable.
        for _ in range(4):
            outputs = [*payments, TxOutput(change, change_script)]
            raw = sign(inputs, outputs)
            exact_fee = fee_for_size(len(raw))
            if exact_fee == fee:
                return SignedTransaction(raw, txid_of(raw), fee, len(payments), change)
            fee = exact_fee
            change = total_in - total_out - fee
            if change < DUST_KOINU:
                break
        else:  # pragma: no cover - sizes differ by a byte at most; four rounds always settle
            raise RuntimeError("fee did not settle")
    # No change output: everything above the payments is fee; it must cover the exact size.
    raw = sign(inputs, list(payments))
    fee = total_in - total_out
    if fee < fee_for_size(len(raw)):
        raise InsufficientHotFunds(
            f"inputs {total_in} cannot pay {total_out} plus fee {fee_for_size(len(raw))}"
        )
    return SignedTransaction(raw, txid_of(raw), fee, None, 0)
