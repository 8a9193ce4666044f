"""The chain follower against the real regtest node: detection, crediting, rescans, reorgs."""

from __future__ import annotations

import uuid

import pytest
from django.db.models import Q

from dbay_common.django.outbox.models import OutboxEvent
from wallet_service.chain import booking
from wallet_service.chain.models import ChainBlock, Deposit, Utxo
from wallet_service.chain.selectors import chain_tip, incoming_koinu_for_user
from wallet_service.chain.services import deposit_address_get_or_create, deposit_address_rotate
from wallet_service.ledger import services as ledger
from wallet_service.ledger.chart import PlatformAccount, user_wallet_account_id
from wallet_service.ledger.models import Account, Transfer
from wallet_service.ledger.selectors import incoming_koinu_for_user as ledger_incoming
from wallet_service.ledger.selectors import ledger_sum

from .conftest import UNIT, Follower, NodeHarness, available_koinu, platform_net, wallet_counters

pytestmark = pytest.mark.django_db


def events(detail_type: str) -> list[dict]:  # type: ignore[type-arg]
    return [
        row.payload["detail"]["data"]
        for row in OutboxEvent.objects.filter(detail_type=detail_type).order_by("created_at")
    ]


def credit_transfers(txid: str) -> list[Transfer]:
    return list(Transfer.objects.filter(reason="deposit", reference__txid=txid))


def test_follower_stores_each_block_with_its_parent(node: NodeHarness, follower: Follower) -> None:
    start = chain_tip()
    assert start is not None
    hashes = node.mine(2)

    result = follower.step()

    assert result.blocks_applied >= 2  # others may mine on the shared node too
    blocks = {block.hash: block for block in ChainBlock.objects.filter(hash__in=hashes)}
    first, second = blocks[hashes[0]], blocks[hashes[1]]
    assert second.prev_hash == first.hash and second.height == first.height + 1
    assert chain_tip().hash == node.wallet.get_best_block_hash()  # type: ignore[union-attr]


def test_deposit_incoming_at_zero_confirmations_then_credited_once_at_n(
    node: NodeHarness, follower: Follower, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.DEPOSIT_CONFIRMATIONS = 3
    user_id = uuid.uuid4()
    address = deposit_address_get_or_create(user_id=user_id)
    custody_before = platform_net(PlatformAccount.CUSTODY)
    txid = node.send(address.address, 15_000_000)

    follower.step()

    deposit = Deposit.objects.get(txid=txid)
    assert (deposit.status, deposit.amount_koinu, deposit.block_height, deposit.user_id) == (
        "pending",
        15_000_000,
        None,
        user_id,
    )
    assert incoming_koinu_for_user(user_id=user_id) == 15_000_000
    assert ledger_incoming(user_id=user_id) == 15_000_000  # the ledger's balances read our figure
    [detected] = events("deposit.detected")
    assert detected == {
        "deposit_id": str(deposit.id),
        "user_id": str(user_id),
        "address": address.address,
        "txid": txid,
        "vout": deposit.vout,
        "amount_koinu": "15000000",
        "confirmations": 0,
        "required_confirmations": 3,
    }
    assert not Account.objects.filter(id=user_wallet_account_id(user_id)).exists()  # nothing moved

    [block_hash] = node.mine(1)
    follower.step()
    deposit.refresh_from_db()
    assert (deposit.status, deposit.block_hash) == ("confirming", block_hash)
    assert incoming_koinu_for_user(user_id=user_id) == 15_000_000
    node.mine(1)
    follower.step()
    deposit.refresh_from_db()
    assert deposit.status == "confirming"
    assert credit_transfers(txid) == []

    node.mine(1)  # the third confirmation
    follower.step()

    deposit.refresh_from_db()
    assert (deposit.status, deposit.times_credited) == ("credited", 1)
    assert incoming_koinu_for_user(user_id=user_id) == 0
    assert wallet_counters(user_id) == (0, 15_000_000, 0, 0)
    assert platform_net(PlatformAccount.CUSTODY) == custody_before - 15_000_000
    [credit] = credit_transfers(txid)
    assert credit.id == uuid.uuid5(booking.CHAIN_NAMESPACE, f"deposit:{txid}:{deposit.vout}")
    assert credit.debit_account_id == PlatformAccount.CUSTODY.account_id
    assert Utxo.objects.get(txid=txid, vout=deposit.vout).is_spendable
    [confirmed] = events("deposit.confirmed")
    assert confirmed["credit_number"] == 1 and confirmed["confirmations"] == 3
    assert confirmed["transfer_id"] == str(credit.id)
    assert len(events("deposit.detected")) == 1

    # More blocks and more steps change nothing.
    node.mine(2)
    follower.step()
    assert len(credit_transfers(txid)) == 1
    assert wallet_counters(user_id) == (0, 15_000_000, 0, 0)
    assert ledger_sum() == 0


def test_tiered_confirmations_by_amount(node: NodeHarness, follower: Follower, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DEPOSIT_CONFIRMATIONS = 1
    settings.DEPOSIT_CONFIRMATION_TIERS = ((2 * UNIT, 2),)
    small_user, large_user = uuid.uuid4(), uuid.uuid4()
    small = node.send(deposit_address_get_or_create(user_id=small_user).address, UNIT)
    large = node.send(deposit_address_get_or_create(user_id=large_user).address, 2 * UNIT)
    node.mine(1)
    follower.step()
    assert Deposit.objects.get(txid=small).status == "credited"
    assert Deposit.objects.get(txid=large).status == "confirming"
    node.mine(1)
    follower.step()
    assert Deposit.objects.get(txid=large).status == "credited"
    assert available_koinu(large_user) == 2 * UNIT


def test_rescan_never_credits_twice(node: NodeHarness, follower: Follower) -> None:
    user_id = uuid.uuid4()
    txid = node.send(deposit_address_get_or_create(user_id=user_id).address, UNIT)
    [block_hash] = node.mine(1)
    follower.step()
    assert available_koinu(user_id) == UNIT
    height = ChainBlock.objects.get(hash=block_hash).height

    # An operator wipes the follower's memory of blocks, deposits and outputs and rescans from
    # before the deposit: the ledger's transfer id (txid, vout) stops a second credit.
    Utxo.objects.all().delete()
    Deposit.objects.all().delete()
    ChainBlock.objects.all().delete()
    follower.state.mempool_seen.clear()
    with pytest.MonkeyPatch.context() as patch:
        from django.conf import settings

        patch.setattr(settings, "CHAIN_START_HEIGHT", height - 1)
        follower.step()

    deposit = Deposit.objects.get(txid=txid)
    assert deposit.status == "credited"
    assert len(credit_transfers(txid)) == 1
    assert wallet_counters(user_id) == (0, UNIT, 0, 0)
    assert ledger_sum() == 0


def test_old_addresses_still_credit_after_rotation(node: NodeHarness, follower: Follower) -> None:
    user_id = uuid.uuid4()
    old = deposit_address_get_or_create(user_id=user_id)
    new = deposit_address_rotate(user_id=user_id)
    assert new.address != old.address and new.derivation_index != old.derivation_index
    node.send(old.address, UNIT)
    node.send(new.address, 2 * UNIT)
    node.mine(1)
    follower.step()
    assert available_koinu(user_id) == 3 * UNIT


def test_dropped_from_mempool_is_no_longer_incoming(node: NodeHarness, follower: Follower) -> None:
    user_id = uuid.uuid4()
    address = deposit_address_get_or_create(user_id=user_id).address
    # A deposit the follower saw in the mempool that the node then forgets (here: simulated by a row
    # for a txid the node never had) is dropped from incoming, never credited.
    Deposit.objects.create(
        txid="ab" * 32,
        vout=0,
        address=deposit_address_get_or_create(user_id=user_id),
        user_id=user_id,
        amount_koinu=UNIT,
        status=Deposit.Status.PENDING,
    )
    assert incoming_koinu_for_user(user_id=user_id) == UNIT
    node.send(address, 2 * UNIT)
    follower.step()
    assert incoming_koinu_for_user(user_id=user_id) == 2 * UNIT
    assert Deposit.objects.get(txid="ab" * 32).status == "dropped"


def test_reorg_reverses_a_credited_deposit_and_the_remined_one_nets_one_credit(
    node: NodeHarness, follower: Follower
) -> None:
    user_id = uuid.uuid4()
    txid = node.send(deposit_address_get_or_create(user_id=user_id).address, 2 * UNIT)
    [block_hash] = node.mine(1)
    follower.step()
    deposit = Deposit.objects.get(txid=txid)
    assert deposit.status == "credited"
    custody_before = platform_net(PlatformAccount.CUSTODY)

    node.wallet.call("invalidateblock", block_hash)
    try:
        result = follower.step()

        assert result.blocks_undone >= 1 and result.deposits_reversed == 1
        deposit.refresh_from_db()
        assert (deposit.status, deposit.block_hash, deposit.times_credited, deposit.times_reversed) == (
            "pending",
            None,
            1,
            1,
        )  # back in the node's mempool, so incoming again
        assert incoming_koinu_for_user(user_id=user_id) == 2 * UNIT
        assert wallet_counters(user_id) == (2 * UNIT, 2 * UNIT, 0, 0)
        assert platform_net(PlatformAccount.CUSTODY) == custody_before + 2 * UNIT
        [reversal] = Transfer.objects.filter(reason="deposit_reversal", reference__txid=txid)
        assert reversal.corrects_id == booking.deposit_credit_id(txid, deposit.vout, 1)
        assert not Utxo.objects.get(txid=txid).is_spendable
        assert ChainBlock.objects.get(hash=block_hash).orphaned_at is not None
        [reversed_event] = events("deposit.reversed")
        assert reversed_event["recovered_koinu"] == str(2 * UNIT)
        assert reversed_event["shortfall_koinu"] == "0" and reversed_event["account_frozen"] is False
        assert not Account.objects.get(id=user_wallet_account_id(user_id)).is_frozen

        # The new branch mines the same transaction again: credited again, net exactly once.
        node.mine(2)
        follower.step()
    finally:
        node.wallet.call("reconsiderblock", block_hash)  # the new branch is longer: the node stays on it
    follower.step()

    deposit.refresh_from_db()
    assert (deposit.status, deposit.times_credited, deposit.times_reversed) == ("credited", 2, 1)
    assert deposit.block_hash != block_hash
    assert available_koinu(user_id) == 2 * UNIT
    assert wallet_counters(user_id) == (2 * UNIT, 4 * UNIT, 0, 0)
    assert sorted(t.id for t in credit_transfers(txid)) == sorted(
        [booking.deposit_credit_id(txid, deposit.vout, 1), booking.deposit_credit_id(txid, deposit.vout, 2)]
    )
    assert [e["credit_number"] for e in events("deposit.confirmed")] == [1, 2]
    assert Utxo.objects.get(txid=txid).is_spendable
    assert ledger_sum() == 0


def test_reorg_before_crediting_credits_once(node: NodeHarness, follower: Follower, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DEPOSIT_CONFIRMATIONS = 2
    user_id = uuid.uuid4()
    txid = node.send(deposit_address_get_or_create(user_id=user_id).address, UNIT)
    [block_hash] = node.mine(1)
    follower.step()
    assert Deposit.objects.get(txid=txid).status == "confirming"

    node.wallet.call("invalidateblock", block_hash)
    try:
        follower.step()
        deposit = Deposit.objects.get(txid=txid)
        assert (deposit.status, deposit.times_reversed) == ("pending", 0)
        assert Transfer.objects.filter(reference__txid=txid).count() == 0
        node.mine(3)
        follower.step()
    finally:
        node.wallet.call("reconsiderblock", block_hash)

    deposit.refresh_from_db()
    assert (deposit.status, deposit.times_credited, deposit.times_reversed) == ("credited", 1, 0)
    assert len(credit_transfers(txid)) == 1
    assert available_koinu(user_id) == UNIT


def test_reorg_after_the_funds_were_spent_books_the_shortfall_to_suspense_and_freezes(
    node: NodeHarness, follower: Follower
) -> None:
    user_id = uuid.uuid4()
    txid = node.send(deposit_address_get_or_create(user_id=user_id).address, 3 * UNIT)
    [block_hash] = node.mine(1)
    follower.step()
    wallet_id = user_wallet_account_id(user_id)
    # The user spends 1 UNIT outright and holds 1.5 UNIT on a bid: 0.5 UNIT stays available.
    seller = ledger.account_user_wallet_get_or_create(user_id=uuid.uuid4())
    ledger.transfer_create(
        transfer_id=uuid.uuid4(),
        debit_account_id=wallet_id,
        credit_account_id=seller.id,
        amount_koinu=UNIT,
        reason="order_payment",
    )
    ledger.transfer_create(
        transfer_id=uuid.uuid4(),
        debit_account_id=wallet_id,
        credit_account_id=PlatformAccount.BID_HOLDS.account_id,
        amount_koinu=15_000_000,
        reason="bid_hold",
        pending=True,
    )
    assert available_koinu(user_id) == 5_000_000
    suspense_before = platform_net(PlatformAccount.SUSPENSE)
    custody_before = platform_net(PlatformAccount.CUSTODY)

    node.wallet.call("invalidateblock", block_hash)
    try:
        follower.step()
    finally:
        node.wallet.call("reconsiderblock", block_hash)
        node.mine(1)  # keep the node moving; the deposit may be re-mined, tested elsewhere

    deposit = Deposit.objects.get(txid=txid)
    assert deposit.shortfall_koinu == 25_000_000
    assert available_koinu(user_id) == 0
    assert wallet_counters(user_id) == (UNIT + 5_000_000, 3 * UNIT, 15_000_000, 0)
    assert platform_net(PlatformAccount.SUSPENSE) == suspense_before - 25_000_000
    assert (
        platform_net(PlatformAccount.CUSTODY) == custody_before + 3 * UNIT
    )  # custody mirrors the chain again
    wallet = Account.objects.get(id=wallet_id)
    assert wallet.is_frozen and txid[:16] in wallet.frozen_reason
    corrections = Transfer.objects.filter(corrects_id=booking.deposit_credit_id(txid, deposit.vout, 1))
    assert sorted((t.reason, t.debit_account_id, t.amount_koinu) for t in corrections) == sorted(
        [
            ("deposit_reversal", wallet_id, 5_000_000),
            ("deposit_shortfall", PlatformAccount.SUSPENSE.account_id, 25_000_000),
        ]
    )
    [event] = events("deposit.reversed")
    assert (event["recovered_koinu"], event["shortfall_koinu"], event["account_frozen"]) == (
        "5000000",
        "25000000",
        True,
    )
    assert ledger_sum() == 0


def test_unattributed_receipt_to_a_change_address_goes_to_suspense(
    node: NodeHarness, follower: Follower
) -> None:
    from django.db import transaction

    from wallet_service.chain.services import change_address_create

    with transaction.atomic():
        change = change_address_create()
    suspense_before = platform_net(PlatformAccount.SUSPENSE)
    txid = node.send(change.address, UNIT)
    node.mine(1)
    follower.step()
    deposit = Deposit.objects.get(txid=txid)
    assert (deposit.status, deposit.user_id) == ("credited", None)
    assert platform_net(PlatformAccount.SUSPENSE) == suspense_before + UNIT
    assert events("deposit.detected") == [] and events("deposit.confirmed") == []
    assert not Deposit.objects.filter(~Q(user_id=None), txid=txid).exists()
