"""The signer re-checks a frozen wallet before paying (item 10); a settled withdrawal reorged out goes
back to unconfirmed and is confirmed again on the new chain, and reconciliation flags it meanwhile
(item 14)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest

from dbay_common.django.outbox.models import OutboxEvent
from wallet_service.chain.keys import account_public_key
from wallet_service.chain.models import ChainTransaction, Withdrawal
from wallet_service.chain.networks import NETWORKS
from wallet_service.chain.reconciliation import reconciliation_report
from wallet_service.chain.rpc import NodeClient
from wallet_service.chain.services import withdrawal_request
from wallet_service.chain.signer import signer_step
from wallet_service.chain.signer_keys import SignerKeys, load_signer_keys
from wallet_service.ledger import services as ledger
from wallet_service.ledger.chart import PlatformAccount, user_wallet_account_id
from wallet_service.ledger.models import Transfer
from wallet_service.ledger.selectors import ledger_sum
from wallet_service.staff.services import staff_account_unfreeze, staff_withdrawal_approve

from .conftest import UNIT, Follower, NodeHarness, SessionKeys, available_koinu, platform_net, wallet_counters

pytestmark = pytest.mark.django_db


@pytest.fixture
def signer_keys(monkeypatch: pytest.MonkeyPatch, session_keys: SessionKeys) -> SignerKeys:
    monkeypatch.setenv("SIGNER_SEED_MNEMONIC", session_keys.mnemonic)
    return load_signer_keys(network=NETWORKS["regtest"], account_xpub=account_public_key())


@pytest.fixture
def rpc(dogecoin_rpc_url: str) -> NodeClient:
    return NodeClient(dogecoin_rpc_url)


def events(detail_type: str) -> list[dict[str, object]]:
    return [e.payload["detail"]["data"] for e in OutboxEvent.objects.filter(detail_type=detail_type)]


def test_signer_holds_an_approved_withdrawal_of_a_wallet_frozen_after_approval(
    node: NodeHarness,
    follower: Follower,
    funded_user: Callable[[int], uuid.UUID],
    signer_keys: SignerKeys,
    rpc: NodeClient,
) -> None:
    user_id = funded_user(3 * UNIT)
    destination = node.new_address()
    withdrawal = withdrawal_request(
        email_verified=True,
        user_id=user_id,
        address=destination,
        amount_koinu=UNIT,
        idempotency_key=uuid.uuid4().hex,
    )
    assert withdrawal.status == "approved"
    ledger.account_freeze(account_id=user_wallet_account_id(user_id), reason="deposit reorged out")
    counters = wallet_counters(user_id)

    result = signer_step(keys=signer_keys, client=rpc)

    withdrawal.refresh_from_db()
    assert (result.signed, result.broadcast) == (0, 0)
    assert withdrawal.status == "on_hold" and withdrawal.chain_tx_id is None
    assert withdrawal.review_note == "wallet frozen when the signer came to pay: deposit reorged out"
    assert not ChainTransaction.objects.exists()
    assert wallet_counters(user_id) == counters  # still held, nothing posted or voided
    assert events("withdrawal.held") == [
        {
            "withdrawal_id": str(withdrawal.id),
            "user_id": str(user_id),
            "amount_koinu": str(UNIT),
            "fee_koinu": "1000000",
            "reason": "account_frozen",
        }
    ]
    node.mine(1)
    follower.step()
    assert node.received_outputs(destination) == []

    # Approved again while still frozen: the signer holds it again.
    staff_id = uuid.uuid4()
    staff_withdrawal_approve(withdrawal_id=withdrawal.id, staff_id=staff_id, reason="looks fine")
    signer_step(keys=signer_keys, client=rpc)
    withdrawal.refresh_from_db()
    assert withdrawal.status == "on_hold" and not ChainTransaction.objects.exists()

    # After the review lifts the freeze, approval pays it.
    staff_account_unfreeze(user_id=user_id, staff_id=staff_id, reason="shortfall repaid")
    staff_withdrawal_approve(withdrawal_id=withdrawal.id, staff_id=staff_id, reason="review done")
    assert signer_step(keys=signer_keys, client=rpc).signed == 1
    node.mine(1)
    follower.step()
    withdrawal.refresh_from_db()
    assert withdrawal.status == "confirmed"
    assert node.received_outputs(destination) == [(withdrawal.chain_tx.txid, UNIT)]  # type: ignore[union-attr]
    assert available_koinu(user_id) == 3 * UNIT - UNIT - 1_000_000


def test_settled_withdrawal_reorged_out_goes_back_to_unconfirmed_and_is_confirmed_again(
    node: NodeHarness,
    follower: Follower,
    funded_user: Callable[[int], uuid.UUID],
    signer_keys: SignerKeys,
    rpc: NodeClient,
) -> None:
    user_id = funded_user(3 * UNIT)
    destination = node.new_address()
    withdrawal = withdrawal_request(
        email_verified=True,
        user_id=user_id,
        address=destination,
        amount_koinu=UNIT,
        idempotency_key=uuid.uuid4().hex,
    )
    signer_step(keys=signer_keys, client=rpc)
    [block_hash] = node.mine(1)
    follower.step()
    withdrawal.refresh_from_db()
    chain_tx = ChainTransaction.objects.get()
    assert (withdrawal.status, chain_tx.block_hash) == ("confirmed", block_hash)  # 1 confirmation: settled
    settled = wallet_counters(user_id)
    custody = platform_net(PlatformAccount.CUSTODY)
    transfers = Transfer.objects.count()
    assert reconciliation_report(client=rpc).is_balanced

    node.wallet.call("invalidateblock", block_hash)
    try:
        follower.step()

        withdrawal.refresh_from_db()
        chain_tx.refresh_from_db()
        assert (withdrawal.status, chain_tx.state, chain_tx.block_hash, chain_tx.block_height) == (
            "broadcast",
            "broadcast",
            None,
            None,
        )
        assert chain_tx.settled_at is not None
        assert node.in_mempool(chain_tx.txid)
        # The ledger keeps the settlement: the payment was sent and will be mined again.
        assert wallet_counters(user_id) == settled
        assert platform_net(PlatformAccount.CUSTODY) == custody
        assert Transfer.objects.count() == transfers
        [unconfirmed] = events("withdrawal.unconfirmed")
        assert unconfirmed == {
            "withdrawal_id": str(withdrawal.id),
            "user_id": str(user_id),
            "txid": chain_tx.txid,
            "orphaned_block_hash": block_hash,
        }
        # The API shows it unconfirmed.
        report = reconciliation_report(client=rpc)
        assert not report.is_balanced
        assert report.drift_koinu == 0 and report.missing_outputs == []
        assert [(s.txid, s.withdrawals, s.block_hash) for s in report.settled_not_in_best_chain] == [
            (chain_tx.txid, 1, None)
        ]

        # The new chain mines it again: confirmed again, nothing booked twice.
        node.mine(2)
        follower.step()
    finally:
        node.wallet.call("reconsiderblock", block_hash)
    follower.step()

    withdrawal.refresh_from_db()
    chain_tx.refresh_from_db()
    assert (withdrawal.status, chain_tx.state) == ("confirmed", "confirmed")
    assert chain_tx.block_hash not in (None, block_hash)
    assert wallet_counters(user_id) == settled
    assert platform_net(PlatformAccount.CUSTODY) == custody
    assert Transfer.objects.count() == transfers
    assert len(events("withdrawal.confirmed")) == 2
    assert node.received_outputs(destination) == [(chain_tx.txid, UNIT)]
    assert ledger_sum() == 0
    assert reconciliation_report(client=rpc).is_balanced
    assert Withdrawal.objects.get().status == "confirmed"
