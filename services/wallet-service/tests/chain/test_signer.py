"""The signer against the real node: end to end, batching, failure, and SIGKILL at every step."""

from __future__ import annotations

import queue
import signal
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from dbay_common.django.outbox.models import OutboxEvent
from wallet_service.chain.keys import AddressChain, account_public_key
from wallet_service.chain.models import ChainTransaction, Utxo, WalletAddress, Withdrawal
from wallet_service.chain.networks import NETWORKS
from wallet_service.chain.reconciliation import reconciliation_report
from wallet_service.chain.rpc import NodeClient, koinu_from_coins
from wallet_service.chain.services import withdrawal_request
from wallet_service.chain.signer import chain_tx_broadcast, signer_step, withdrawals_sign_batch
from wallet_service.chain.signer_keys import SignerKeys, load_signer_keys
from wallet_service.chain.transactions import SpendableInput, TxOutput, build_and_sign, fee_for_size
from wallet_service.ledger.chart import PlatformAccount, user_wallet_account_id
from wallet_service.ledger.models import Transfer
from wallet_service.ledger.selectors import ledger_sum

from .conftest import (
    SERVICE_DIR,
    UNIT,
    Follower,
    NodeHarness,
    SessionKeys,
    available_koinu,
    platform_net,
    process_env,
    wallet_counters,
)


@pytest.fixture
def signer_keys(monkeypatch: pytest.MonkeyPatch, session_keys: SessionKeys) -> SignerKeys:
    monkeypatch.setenv("SIGNER_SEED_MNEMONIC", session_keys.mnemonic)
    return load_signer_keys(network=NETWORKS["regtest"], account_xpub=account_public_key())


@pytest.fixture
def rpc(dogecoin_rpc_url: str) -> NodeClient:
    return NodeClient(dogecoin_rpc_url)


def outputs_of(rpc: NodeClient, raw_hex: str) -> list[tuple[int, int, str]]:
    """(n, koinu, address) of each output, as the node decodes the transaction."""
    decoded = rpc.call("decoderawtransaction", raw_hex)
    return [
        (int(out["n"]), koinu_from_coins(out["value"]), out["scriptPubKey"]["addresses"][0])
        for out in decoded["vout"]
    ]


@pytest.mark.django_db
def test_withdrawal_end_to_end(
    node: NodeHarness,
    follower: Follower,
    funded_user: Callable[[int], uuid.UUID],
    signer_keys: SignerKeys,
    rpc: NodeClient,
) -> None:
    user_id = funded_user(5 * UNIT)
    destination = node.new_address()
    withdrawal = withdrawal_request(
        email_verified=True,
        user_id=user_id,
        address=destination,
        amount_koinu=2 * UNIT,
        idempotency_key=uuid.uuid4().hex,
    )
    custody_before = platform_net(PlatformAccount.CUSTODY)
    seen: dict[str, Any] = {}

    def pause(point: str) -> None:
        if point == "after_sign":  # stored, not yet broadcast
            stored = ChainTransaction.objects.get()
            seen["txid"] = stored.txid
            seen["state"] = stored.state
            seen["known_to_node"] = rpc.get_raw_transaction(stored.txid) is not None

    result = signer_step(keys=signer_keys, client=rpc, pause=pause)

    assert (result.signed, result.broadcast, result.failed) == (1, 1, 0)
    chain_tx = ChainTransaction.objects.get()
    assert seen == {"txid": chain_tx.txid, "state": "signed", "known_to_node": False}
    assert chain_tx.state == "broadcast" and node.in_mempool(chain_tx.txid)
    change = Utxo.objects.get(created_by=chain_tx)
    change_address = WalletAddress.objects.get(id=change.address_id)
    assert change_address.chain == AddressChain.INTERNAL and change_address.user_id is None
    assert chain_tx.size_bytes == len(chain_tx.raw_hex) // 2
    assert chain_tx.fee_koinu == fee_for_size(chain_tx.size_bytes) == 1_000_000
    assert outputs_of(rpc, chain_tx.raw_hex) == [
        (0, 2 * UNIT, destination),
        (1, 5 * UNIT - 2 * UNIT - 1_000_000, change_address.address),
    ]
    withdrawal.refresh_from_db()
    assert (withdrawal.status, withdrawal.vout, withdrawal.network_fee_share_koinu) == (
        "broadcast",
        0,
        1_000_000,
    )
    assert OutboxEvent.objects.filter(detail_type="withdrawal.broadcast").count() == 1
    assert available_koinu(user_id) == 5 * UNIT - 2 * UNIT - 1_000_000  # still held, not posted

    node.mine(1)
    follower.step()

    withdrawal.refresh_from_db()
    chain_tx.refresh_from_db()
    assert (withdrawal.status, chain_tx.state) == ("confirmed", "confirmed")
    assert node.received_outputs(destination) == [(chain_tx.txid, 2 * UNIT)]
    assert wallet_counters(user_id) == (2 * UNIT + 1_000_000, 5 * UNIT, 0, 0)
    assert platform_net(PlatformAccount.CUSTODY) == custody_before + 2 * UNIT + 1_000_000
    assert platform_net(PlatformAccount.WITHDRAWALS_IN_FLIGHT) == 0
    assert Utxo.objects.get(created_by=chain_tx).is_spendable
    [confirmed] = OutboxEvent.objects.filter(detail_type="withdrawal.confirmed")
    assert confirmed.payload["detail"]["data"]["txid"] == chain_tx.txid
    assert ledger_sum() == 0
    report = reconciliation_report(client=rpc)
    assert (report.drift_koinu, report.missing_outputs, report.in_flight) == (0, [], [])
    assert report.chain_outputs_koinu == report.ledger_custody_koinu == 5 * UNIT - 2 * UNIT - 1_000_000

    # Running the signer again changes nothing.
    assert not signer_step(keys=signer_keys, client=rpc).changed
    assert ChainTransaction.objects.count() == 1


@pytest.mark.django_db
def test_several_withdrawals_are_batched_into_one_transaction(
    node: NodeHarness,
    follower: Follower,
    funded_user: Callable[[int], uuid.UUID],
    signer_keys: SignerKeys,
    rpc: NodeClient,
) -> None:
    users = [funded_user(3 * UNIT) for _ in range(3)]
    destinations = [node.new_address() for _ in users]
    for user_id, destination, amount in zip(users, destinations, (UNIT, 2 * UNIT, 15_000_000), strict=True):
        withdrawal_request(
            email_verified=True,
            user_id=user_id,
            address=destination,
            amount_koinu=amount,
            idempotency_key=uuid.uuid4().hex,
        )
    network_fees_before = platform_net(PlatformAccount.NETWORK_FEES)

    signer_step(keys=signer_keys, client=rpc)
    node.mine(1)
    follower.step()

    chain_tx = ChainTransaction.objects.get()
    withdrawals = list(Withdrawal.objects.order_by("vout"))
    assert [w.chain_tx_id for w in withdrawals] == [chain_tx.id] * 3
    assert [w.status for w in withdrawals] == ["confirmed"] * 3
    assert sum(w.network_fee_share_koinu or 0 for w in withdrawals) == chain_tx.fee_koinu
    for destination, amount in zip(destinations, (UNIT, 2 * UNIT, 15_000_000), strict=True):
        assert node.received_outputs(destination) == [(chain_tx.txid, amount)]
    # Users paid 3 x 0.01 DOGE; the one transaction cost less: the difference is the platform's.
    assert platform_net(PlatformAccount.NETWORK_FEES) == network_fees_before + 3_000_000 - chain_tx.fee_koinu
    for user_id, amount in zip(users, (UNIT, 2 * UNIT, 15_000_000), strict=True):
        assert available_koinu(user_id) == 3 * UNIT - amount - 1_000_000
    assert ledger_sum() == 0
    assert reconciliation_report(client=rpc).is_balanced


@pytest.mark.django_db
def test_transaction_whose_input_was_spent_elsewhere_fails_and_the_hold_is_voided(
    node: NodeHarness,
    follower: Follower,
    funded_user: Callable[[int], uuid.UUID],
    signer_keys: SignerKeys,
    rpc: NodeClient,
) -> None:
    user_id = funded_user(3 * UNIT)
    withdrawal = withdrawal_request(
        email_verified=True,
        user_id=user_id,
        address=node.new_address(),
        amount_koinu=UNIT,
        idempotency_key=uuid.uuid4().hex,
    )
    chain_tx = withdrawals_sign_batch(keys=signer_keys)
    assert chain_tx is not None
    [spent] = Utxo.objects.filter(reserved_by=chain_tx)
    # Someone with the key (a compromised or second signer) spends the same output first.
    key = signer_keys.private_key(
        AddressChain(spent.address.chain),
        spent.address.derivation_index,
        expected_pubkey_hash=spent.address.pubkey_hash,
    )
    thief = build_and_sign(
        inputs=[SpendableInput(spent.txid, spent.vout, spent.amount_koinu, key)],
        payments=[
            TxOutput(2 * UNIT, bytes.fromhex(rpc.call("validateaddress", node.new_address())["scriptPubKey"]))
        ],
        change_script=bytes.fromhex(rpc.call("validateaddress", node.new_address())["scriptPubKey"]),
    )
    rpc.send_raw_transaction(thief.raw.hex())
    node.mine(1)
    follower.step()
    spent.refresh_from_db()
    assert spent.spent_txid == thief.txid

    assert chain_tx_broadcast(chain_tx_id=chain_tx.id, client=rpc) == "failed"

    chain_tx.refresh_from_db()
    withdrawal.refresh_from_db()
    assert chain_tx.state == "failed" and thief.txid in chain_tx.failure_reason
    assert withdrawal.status == "failed"
    assert available_koinu(user_id) == 3 * UNIT  # the hold is voided
    assert Transfer.objects.filter(pending_id=withdrawal.hold_transfer_id, kind="void_pending").count() == 1
    [failed] = OutboxEvent.objects.filter(detail_type="withdrawal.failed")
    assert failed.payload["detail"]["data"]["reason"] == "transaction_failed"
    # Reconciliation sees the output that left without the ledger knowing.
    report = reconciliation_report(client=rpc)
    assert report.drift_koinu == 3 * UNIT
    assert [(m.txid, m.reason) for m in report.missing_outputs] == [
        (spent.txid, f"spent by {thief.txid}, which is not our transaction")
    ]


# -- crash tests: the signer as a real process, killed with SIGKILL ---------------------------------


class Lines:
    """Reads a process's stdout on a thread, so a test can wait for a line with a timeout."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.queue: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        assert process.stdout is not None
        stream = process.stdout
        threading.Thread(target=lambda: [self.queue.put(line) for line in stream], daemon=True).start()

    def wait_for(self, text: str, timeout_s: float = 60.0) -> None:
        import time

        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                line = self.queue.get(timeout=0.2)
            except queue.Empty:
                continue
            self.seen.append(line)
            if line.strip() == text:
                return
        raise AssertionError(
            f"{text!r} not printed within {timeout_s} s; output: {''.join(self.seen)[-3000:]}"
        )


def run_signer(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "manage.py", "run_signer", *args],
        cwd=SERVICE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("point", ["after_reserve", "after_sign", "after_broadcast"])
def test_signer_killed_at_each_step_pays_each_withdrawal_exactly_once(
    point: str,
    platform_accounts: None,
    node: NodeHarness,
    follower: Follower,
    funded_user: Callable[[int], uuid.UUID],
    session_keys: SessionKeys,
    dogecoin_rpc_url: str,
    rpc: NodeClient,
) -> None:
    users = [funded_user(3 * UNIT) for _ in range(2)]
    destinations = [node.new_address() for _ in users]
    for user_id, destination in zip(users, destinations, strict=True):
        withdrawal_request(
            email_verified=True,
            user_id=user_id,
            address=destination,
            amount_koinu=UNIT,
            idempotency_key=uuid.uuid4().hex,
        )
    env = process_env(session_keys, dogecoin_rpc_url, SIGNER_SEED_MNEMONIC=session_keys.mnemonic)

    process = run_signer({**env, "SIGNER_TEST_PAUSE_AT": point})
    try:
        Lines(process).wait_for(f"PAUSED {point}")
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    assert process.returncode == -signal.SIGKILL

    # What the crash left behind.
    stored = list(ChainTransaction.objects.all())
    if point == "after_reserve":  # its transaction rolled back with it: nothing stored, nothing sent
        assert stored == []
        assert set(Withdrawal.objects.values_list("status", flat=True)) == {"approved"}
        assert not Utxo.objects.filter(reserved_by__isnull=False).exists()
        assert all(node.received_outputs(d) == [] for d in destinations)
    else:
        [chain_tx] = stored
        assert chain_tx.state == "signed"  # the broadcast was never recorded
        assert set(Withdrawal.objects.values_list("status", flat=True)) == {"signed"}
        assert node.in_mempool(chain_tx.txid) is (point == "after_broadcast")

    restarted = subprocess.run(
        [sys.executable, "manage.py", "run_signer", "--once"],
        cwd=SERVICE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert restarted.returncode == 0, restarted.stdout + restarted.stderr
    node.mine(1)
    follower.step()

    [chain_tx] = ChainTransaction.objects.all()  # never a second transaction
    if point != "after_reserve":
        assert chain_tx.txid == stored[0].txid  # the stored bytes were rebroadcast
    assert chain_tx.state == "confirmed"
    for user_id, destination in zip(users, destinations, strict=True):
        assert node.received_outputs(destination) == [(chain_tx.txid, UNIT)]
        assert available_koinu(user_id) == 3 * UNIT - UNIT - 1_000_000
    assert set(Withdrawal.objects.values_list("status", flat=True)) == {"confirmed"}
    assert OutboxEvent.objects.filter(detail_type="withdrawal.broadcast").count() == 2
    assert OutboxEvent.objects.filter(detail_type="withdrawal.confirmed").count() == 2
    assert ledger_sum() == 0
    assert reconciliation_report(client=rpc).is_balanced

    # A further signer run finds nothing to do.
    again = subprocess.run(
        [sys.executable, "manage.py", "run_signer", "--once"],
        cwd=SERVICE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert again.returncode == 0
    assert ChainTransaction.objects.count() == 1
    _ = user_wallet_account_id  # (imported for readers: wallets are derived from user ids)
