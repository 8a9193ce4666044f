"""Every operation of the committed OpenAPI document, called in-process by a signed-in member who is
also staff, with a fresh second factor: no 5xx, only documented statuses, bodies matching their
schemas (``dbay_common.testing.openapi``).

The member's wallet is empty: withdrawals and transfers are answered with their refusals (400
``insufficient_funds`` and the input checks), which are what this run checks; paying out from a
funded wallet needs the regtest node mining and is covered in ``tests/chain/test_api.py`` and
``tests/chain/test_signer.py``. The internal routes refuse a member's token (401); their service
callers are covered in ``tests/ledger/test_service_auth.py``.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from bip_utils import Bip39MnemonicGenerator, Bip39SeedGenerator, Bip39WordsNum, Bip44

from dbay_common.jwt import reset_verifier_cache
from dbay_common.testing.openapi import SchemathesisTally, contract_schema, django_wsgi_app
from dbay_common.testing.plugin import JwksServer, RsaKeyPair
from dbay_common.testing.sessions import UserSessions, user_sessions, user_sessions_server  # noqa: F401
from wallet_service.chain.keys import bip44_coin
from wallet_service.chain.networks import NETWORKS

schema = contract_schema("wallet-service")
TALLY = SchemathesisTally("wallet-service")


@pytest.fixture(scope="module", autouse=True)
def _report(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    TALLY.report(request.config)


@pytest.fixture(scope="module")
def account_xpub() -> str:
    mnemonic = str(Bip39MnemonicGenerator().FromWordsNumber(Bip39WordsNum.WORDS_NUM_12))
    seed = Bip39SeedGenerator(mnemonic).Generate()
    account = Bip44.FromSeed(seed, bip44_coin(NETWORKS["regtest"])).Purpose().Coin().Account(0)
    return str(account.PublicKey().ToExtended())


@pytest.fixture
def app(
    settings: Any,
    account_xpub: str,
    dogecoin_rpc_url: str,
    jwks_server: JwksServer,
    rsa_keypair: RsaKeyPair,
    user_sessions: UserSessions,  # noqa: F811 - the fixture imported above
) -> Iterator[Any]:
    settings.DOGECOIN_NETWORK = "regtest"
    settings.WALLET_ACCOUNT_XPUB = account_xpub
    settings.DOGECOIN_RPC_URL = dogecoin_rpc_url
    settings.JWT_ISSUER = "dbay-user-service"
    settings.JWT_AUDIENCE = ["dbay-api"]
    settings.JWT_JWKS_URL = jwks_server.url
    jwks_server.set_keys(rsa_keypair.jwk)
    reset_verifier_cache()
    with django_wsgi_app() as handler:
        yield handler
    reset_verifier_cache()


@pytest.fixture
def auth_headers(make_token: Callable[..., str]) -> dict[str, str]:
    """A verified member with the staff role, signed in with a TOTP check a few seconds ago."""
    token = make_token(
        sub=str(uuid.uuid4()),
        sid=str(uuid.uuid4()),
        roles=["buyer", "seller", "staff"],
        email_verified=True,
        amr=["pwd", "otp"],
        mfa_at=int(time.time()) - 5,
    )
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.django_db
@schema.parametrize()
def test_api_matches_its_document(case: Any, app: Any, auth_headers: dict[str, str]) -> None:
    TALLY.call_and_validate(case, app=app, headers=auth_headers)
