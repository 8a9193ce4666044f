"""Reconciliation: ledger custody against our outputs on the node, the command's exit status."""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Callable

import pytest
from django.core.management import call_command

from wallet_service.chain.models import ChainTransaction
from wallet_service.chain.reconciliation import reconciliation_report
from wallet_service.chain.rpc import NodeClient
from wallet_service.chain.services import withdrawal_request
from wallet_service.chain.signer import withdrawals_sign_batch
from wallet_service.chain.signer_keys import SignerKeys, load_signer_keys
from wallet_service.chain.tasks import reconcile_task
from wallet_service.ledger import services as ledger
from wallet_service.ledger.chart import PlatformAccount

from .conftest import UNIT, Follower, NodeHarness, SessionKeys

pytestmark = pytest.mark.django_db


@pytest.fixture
def rpc(dogecoin_rpc_url: str) -> NodeClient:
    return NodeClient(dogecoin_rpc_url)


def test_balanced_after_deposits(
    node: NodeHarness, follower: Follower, funded_user: Callable[[int], uuid.UUID], rpc: NodeClient
) -> None:
    funded_user(2 * UNIT)
    funded_user(3 * UNIT)

    report = reconciliation_report(client=rpc)
    assert (report.ledger_custody_koinu, report.chain_outputs_koinu, report.chain_output_count) == (
        5 * UNIT,
        5 * UNIT,
        2,
    )
    assert report.is_balanced and report.drift_koinu == 0

    out = io.StringIO()
    call_command("reconcile", stdout=out)  # exit status 0: no SystemExit
    document = json.loads(out.getvalue())
    assert document["is_balanced"] is True and document["drift_koinu"] == 0
    assert reconcile_task()["is_balanced"] is True


def test_drift_is_reported_and_exits_one(
    node: NodeHarness, follower: Follower, funded_user: Callable[[int], uuid.UUID], rpc: NodeClient
) -> None:
    funded_user(2 * UNIT)
    # A credit from custody that no chain output backs (a bug, or a manual booking).
    ghost = ledger.account_user_wallet_get_or_create(user_id=uuid.uuid4())
    ledger.transfer_create(
        transfer_id=uuid.uuid4(),
        debit_account_id=PlatformAccount.CUSTODY.account_id,
        credit_account_id=ghost.id,
        amount_koinu=12_345,
        reason="deposit",
    )

    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("reconcile", stdout=out, stderr=err)

    assert exit_info.value.code == 1
    assert json.loads(out.getvalue())["drift_koinu"] == 12_345
    assert (
        "DRIFT: ledger custody 20012345 koinu, chain 20000000 koinu, in flight 0 koinu: drift 12345 koinu"
        in err.getvalue()
    )


def test_in_flight_transactions_are_listed_and_mined_ones_accounted(
    node: NodeHarness,
    follower: Follower,
    funded_user: Callable[[int], uuid.UUID],
    rpc: NodeClient,
    monkeypatch: pytest.MonkeyPatch,
    session_keys: SessionKeys,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    from wallet_service.chain.keys import account_public_key
    from wallet_service.chain.networks import NETWORKS

    settings.WITHDRAWAL_CONFIRMATIONS = 3
    monkeypatch.setenv("SIGNER_SEED_MNEMONIC", session_keys.mnemonic)
    keys: SignerKeys = load_signer_keys(network=NETWORKS["regtest"], account_xpub=account_public_key())
    user_id = funded_user(4 * UNIT)
    withdrawal_request(
        email_verified=True,
        user_id=user_id,
        address=node.new_address(),
        amount_koinu=UNIT,
        idempotency_key=uuid.uuid4().hex,
    )
    chain_tx = withdrawals_sign_batch(keys=keys)
    assert chain_tx is not None

    signed = reconciliation_report(client=rpc)  # signed, not broadcast: spends nothing on chain yet
    assert signed.is_balanced
    assert [(f.txid, f.state, f.is_mined, f.inputs_koinu) for f in signed.in_flight] == [
        (chain_tx.txid, "signed", False, 4 * UNIT)
    ]

    rpc.send_raw_transaction(chain_tx.raw_hex)
    node.mine(1)
    follower.step()  # mined, 1 of 3 confirmations: the ledger has not posted it yet
    mined = reconciliation_report(client=rpc)
    assert mined.is_balanced
    assert mined.mined_unsettled_koinu == 4 * UNIT and mined.chain_outputs_koinu == 0
    assert [(f.txid, f.is_mined) for f in mined.in_flight] == [(chain_tx.txid, True)]

    node.mine(2)
    follower.step()
    settled = reconciliation_report(client=rpc)
    assert ChainTransaction.objects.get().state == "confirmed"
    assert settled.is_balanced and settled.in_flight == []
    assert settled.chain_outputs_koinu == settled.ledger_custody_koinu == 4 * UNIT - UNIT - 1_000_000
