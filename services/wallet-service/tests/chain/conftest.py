"""Fixtures of the chain tests: the real regtest node, real PostgreSQL, real processes.

Isolation on a node shared with other test runs:

* every session creates its own node wallet (``createwallet``) and funds it from a persistent
  faucet wallet, to which it returns its coins at the end: litecoind's regtest halves the block
  reward every 150 blocks, so mining fresh coins for every session would exhaust the shared chain;
* every session derives its addresses from its own random BIP39 mnemonic (the account xpub is a
  setting), so no two runs — or xdist workers — ever watch the same addresses;
* the follower starts at the node's tip in every test (a fresh table), and nothing assumes a height.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from bip_utils import Bip39MnemonicGenerator, Bip39SeedGenerator, Bip39WordsNum, Bip44
from django.db import connection

from dbay_common.jwt import reset_verifier_cache
from dbay_common.testing.plugin import JwksServer, RsaKeyPair
from dbay_common.testing.sessions import UserSessions
from wallet_service.chain.follower import FollowerState, StepResult, chain_follow_step
from wallet_service.chain.keys import bip44_coin
from wallet_service.chain.networks import NETWORKS
from wallet_service.chain.rpc import SERVICE_METHODS, NodeClient, RpcError, coins_from_koinu, koinu_from_coins
from wallet_service.chain.services import deposit_address_get_or_create
from wallet_service.ledger.chart import PlatformAccount, user_wallet_account_id
from wallet_service.ledger.models import Account

SERVICE_DIR = Path(__file__).resolve().parents[2]
DOGE = 100_000_000
#: The amount unit of these tests: 0.1 DOGE. The shared regtest chain halves its reward every 150
#: blocks, so tests move small amounts (the fee and dust policy is 0.01 DOGE).
UNIT = DOGE // 10
FAUCET_WALLET = "dbay-test-faucet"
SESSION_FUNDS_KOINU = 20 * DOGE

# The regtest harness may call these on top of the service's subset (docs/wallet-architecture.md).
TEST_METHODS = SERVICE_METHODS | {
    "createwallet",
    "loadwallet",
    "unloadwallet",
    "getnewaddress",
    "sendtoaddress",
    "generatetoaddress",
    "invalidateblock",
    "reconsiderblock",
    "getbalance",
    "getreceivedbyaddress",
    "listunspent",
}


# -- the node ------------------------------------------------------------------------------------------


@dataclass
class NodeHarness:
    """The regtest node through this session's own wallet (test-only calls allowed)."""

    rpc_url: str
    wallet: NodeClient
    wallet_name: str
    faucet: NodeClient

    faucet_address: str

    def mine(self, blocks: int = 1) -> list[str]:
        """Mine ``blocks`` blocks; the rewards go to the faucet, where they mature for later sessions.

        A fresh address each time: after ``invalidateblock``, mining the same transactions to the same
        address in the same second would rebuild the very block that was invalidated.
        """
        address = self.faucet.call("getnewaddress")
        return [str(h) for h in self.wallet.call("generatetoaddress", blocks, address)]

    def send(self, address: str, amount_koinu: int) -> str:
        return str(self.wallet.call("sendtoaddress", address, coins_from_koinu(amount_koinu)))

    def new_address(self) -> str:
        return str(self.wallet.call("getnewaddress"))

    def received_outputs(self, address: str) -> list[tuple[str, int]]:
        """(txid, amount koinu) of every output paying ``address`` that this wallet sees (0+ conf)."""
        unspent = self.wallet.call("listunspent", 0, 9999999, [address])
        return sorted((str(u["txid"]), koinu_from_coins(u["amount"])) for u in unspent)

    def in_mempool(self, txid: str) -> bool:
        return txid in self.wallet.get_raw_mempool()


def _load_or_create_wallet(base: NodeClient, name: str) -> None:
    try:
        base.call("loadwallet", name)
    except RpcError as error:
        if "already loaded" in error.message:
            return
        try:
            base.call("createwallet", name)
        except RpcError as create_error:
            if "already exists" in create_error.message:  # a concurrent session created it
                _load_or_create_wallet(base, name)
                return
            raise


@pytest.fixture(scope="session")
def node(dogecoin_rpc_url: str) -> Iterator[NodeHarness]:
    base = NodeClient(dogecoin_rpc_url, allowed_methods=TEST_METHODS, timeout_s=60)
    _load_or_create_wallet(base, FAUCET_WALLET)
    faucet = NodeClient(dogecoin_rpc_url, allowed_methods=TEST_METHODS, wallet=FAUCET_WALLET, timeout_s=60)
    name = f"dbay-chain-test-{uuid.uuid4().hex[:12]}"
    base.call("createwallet", name)
    wallet = NodeClient(dogecoin_rpc_url, allowed_methods=TEST_METHODS, wallet=name, timeout_s=60)
    faucet_address = faucet.call("getnewaddress")
    for _ in range(5):
        if koinu_from_coins(faucet.call("getbalance")) >= SESSION_FUNDS_KOINU + DOGE:
            break
        # Coinbase matures after 100 blocks on litecoind (60 on dogecoind regtest): mine past both.
        faucet.call("generatetoaddress", 101, faucet_address)
    faucet.call("sendtoaddress", wallet.call("getnewaddress"), coins_from_koinu(SESSION_FUNDS_KOINU))
    faucet.call("generatetoaddress", 1, faucet_address)
    test_node = NodeHarness(
        rpc_url=dogecoin_rpc_url,
        wallet=wallet,
        wallet_name=name,
        faucet=faucet,
        faucet_address=faucet_address,
    )
    try:
        yield test_node
    finally:
        balance = koinu_from_coins(wallet.call("getbalance"))
        if balance > DOGE // 100:
            with contextlib.suppress(RpcError):  # give the coins back to the faucet (fee taken from them)
                wallet.call("sendtoaddress", faucet_address, coins_from_koinu(balance), "", "", True)
        base.call("unloadwallet", name)


# -- keys and settings ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionKeys:
    mnemonic: str
    xpub: str


@pytest.fixture(scope="session")
def session_keys() -> SessionKeys:
    mnemonic = str(Bip39MnemonicGenerator().FromWordsNumber(Bip39WordsNum.WORDS_NUM_12))
    seed = Bip39SeedGenerator(mnemonic).Generate()
    account = Bip44.FromSeed(seed, bip44_coin(NETWORKS["regtest"])).Purpose().Coin().Account(0)
    return SessionKeys(mnemonic=mnemonic, xpub=str(account.PublicKey().ToExtended()))


@pytest.fixture(autouse=True)
def chain_settings(settings: Any, session_keys: SessionKeys, dogecoin_rpc_url: str) -> Any:
    """This session's HD account, the devstack node, 1 confirmation unless a test says otherwise."""
    settings.DOGECOIN_NETWORK = "regtest"
    settings.WALLET_ACCOUNT_XPUB = session_keys.xpub
    settings.DOGECOIN_RPC_URL = dogecoin_rpc_url
    settings.DEPOSIT_CONFIRMATIONS = 1
    settings.DEPOSIT_CONFIRMATION_TIERS = ()
    settings.WITHDRAWAL_CONFIRMATIONS = 1
    settings.CHAIN_START_HEIGHT = None
    return settings


@pytest.fixture
def platform_accounts(transactional_db: None) -> None:
    """Re-create the ledger's platform accounts, which a transactional test's flush deletes."""
    migration = importlib.import_module("wallet_service.ledger.migrations.0003_platform_accounts")
    with connection.cursor() as cursor:
        cursor.execute(migration.FORWARD)


# -- follower ------------------------------------------------------------------------------------------


@dataclass
class Follower:
    client: NodeClient
    state: FollowerState

    def step(self) -> StepResult:
        return chain_follow_step(client=self.client, state=self.state)


@pytest.fixture
def follower(dogecoin_rpc_url: str) -> Follower:
    """An in-process follower with its own memory; call ``step()`` to run ``chain_follow_step``."""
    follower = Follower(client=NodeClient(dogecoin_rpc_url), state=FollowerState())
    follower.step()  # start at the node's tip now, before the test makes its transactions
    return follower


# -- users, money --------------------------------------------------------------------------------------


def wallet_counters(user_id: uuid.UUID) -> tuple[int, int, int, int]:
    account = Account.objects.get(id=user_wallet_account_id(user_id))
    return account.debits_posted, account.credits_posted, account.debits_pending, account.credits_pending


def available_koinu(user_id: uuid.UUID) -> int:
    debits_posted, credits_posted, debits_pending, _ = wallet_counters(user_id)
    return credits_posted - debits_posted - debits_pending


def platform_net(account: PlatformAccount) -> int:
    """credits minus debits (posted) of a platform account."""
    row = Account.objects.get(id=account.account_id)
    return row.credits_posted - row.debits_posted


@pytest.fixture
def funded_user(node: NodeHarness, follower: Follower) -> Callable[[int], uuid.UUID]:
    """A new user whose deposit of ``amount_koinu`` has been credited (1 confirmation)."""

    def make(amount_koinu: int) -> uuid.UUID:
        user_id = uuid.uuid4()
        address = deposit_address_get_or_create(user_id=user_id).address
        node.send(address, amount_koinu)
        node.mine(1)
        follower.step()
        assert available_koinu(user_id) == amount_koinu
        return user_id

    return make


# -- JWT -----------------------------------------------------------------------------------------------


@pytest.fixture
def jwt_settings(settings: Any, jwks_server: JwksServer, rsa_keypair: RsaKeyPair) -> Iterator[JwksServer]:
    jwks_server.set_keys(rsa_keypair.jwk)
    settings.JWT_ISSUER = "dbay-user-service"
    settings.JWT_AUDIENCE = ["dbay-api"]
    settings.JWT_JWKS_URL = jwks_server.url
    reset_verifier_cache()
    yield jwks_server
    reset_verifier_cache()


@pytest.fixture(autouse=True)
def _user_service(user_sessions: UserSessions) -> UserSessions:
    """user-service's session check, as a stand-in (money actions ask it; dbay_common.testing.sessions)."""
    return user_sessions


@pytest.fixture
def auth_headers(jwt_settings: JwksServer, make_token: Callable[..., str]) -> Callable[..., dict[str, str]]:
    """``auth_headers(user_id, mfa=True, roles=...)``: an Authorization header (fresh TOTP by default)."""

    def headers(
        user_id: uuid.UUID | str,
        *,
        mfa: bool = True,
        mfa_age_s: int = 10,
        roles: list[str] | None = None,
        session_id: str | None = None,
    ) -> dict[str, str]:
        claims: dict[str, Any] = {
            "sub": str(user_id),
            "roles": roles or ["user"],
            "sid": session_id or str(uuid.uuid4()),
        }
        if mfa:
            claims.update(amr=["pwd", "otp"], mfa_at=int(time.time()) - mfa_age_s)
        return {"HTTP_AUTHORIZATION": f"Bearer {make_token(**claims)}"}

    return headers


# -- processes -----------------------------------------------------------------------------------------


def database_url() -> str:
    """The URL of the test database this session uses (for subprocesses)."""
    params = connection.settings_dict
    user = params.get("USER") or "postgres"
    password = f":{params['PASSWORD']}" if params.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{params['HOST']}:{params['PORT']}/{params['NAME']}"


def process_env(session_keys: SessionKeys, dogecoin_rpc_url: str, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SIGNER_", "WALLET_", "DEPOSIT_", "WITHDRAWAL_", "CHAIN_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="wallet_service.settings",
        DBAY_ENV="test",
        DATABASE_URL=database_url(),
        DOGECOIN_RPC_URL=dogecoin_rpc_url,
        DOGECOIN_NETWORK="regtest",
        WALLET_ACCOUNT_XPUB=session_keys.xpub,
        DEPOSIT_CONFIRMATIONS="1",
        WITHDRAWAL_CONFIRMATIONS="1",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def start_manage(command: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "manage.py", *command],
        cwd=SERVICE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(predicate: Callable[[], Any], *, timeout_s: float = 30.0, interval_s: float = 0.02) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval_s)
    raise AssertionError(f"condition not met within {timeout_s} s")


def decimal_koinu(value: Decimal) -> int:
    return koinu_from_coins(value)
