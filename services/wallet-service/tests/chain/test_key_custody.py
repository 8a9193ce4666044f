"""Key custody: the web process never carries the hot key; the signer's key must match the xpub."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from bip_utils import Bip39MnemonicGenerator, Bip39SeedGenerator, Bip39WordsNum, Bip44, Bip44Coins

from dbay_common.settings import MissingSetting
from wallet_service.chain.keys import AccountPublicKey, AddressChain, KeyConfigurationError, parse_account_key
from wallet_service.chain.networks import DEV_ACCOUNT_XPUBS, DEV_MNEMONIC, NETWORKS
from wallet_service.chain.signer_keys import load_signer_keys

from .conftest import SERVICE_DIR

REGTEST = NETWORKS["regtest"]

SETTINGS_PROBE = """
import json, os, django
django.setup()
from django.conf import settings
names = [name for name in dir(settings) if name.isupper()]
values = json.dumps({name: repr(getattr(settings, name)) for name in names})
from wallet_service.wsgi import application  # the web process starts
print(json.dumps({
    "mnemonic_in_settings": os.environ["PROBE_SECRET"] in values,
    "signer_names": [n for n in names if "SIGNER_SEED" in n or "XPRV" in n or "MNEMONIC" in n],
    "xpub": settings.WALLET_ACCOUNT_XPUB,
}))
"""


def probe(env_extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith(("SIGNER_", "WALLET_"))}
    env.update(DJANGO_SETTINGS_MODULE="wallet_service.settings", DBAY_ENV="development", **env_extra)
    return subprocess.run(
        [sys.executable, "-c", SETTINGS_PROBE],
        cwd=SERVICE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_web_process_starts_without_any_signer_key() -> None:
    result = probe({"PROBE_SECRET": "unused"})
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout.strip().splitlines()[-1])
    assert document["signer_names"] == []
    assert document["xpub"] == DEV_ACCOUNT_XPUBS["regtest"]


def test_web_settings_do_not_carry_the_signer_key_even_if_the_environment_does() -> None:
    mnemonic = str(Bip39MnemonicGenerator().FromWordsNumber(Bip39WordsNum.WORDS_NUM_12))
    result = probe(
        {"SIGNER_SEED_MNEMONIC": mnemonic, "SIGNER_XPRV": "tgpv-not-read", "PROBE_SECRET": mnemonic}
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout.strip().splitlines()[-1])
    assert document["mnemonic_in_settings"] is False
    assert document["signer_names"] == []


def test_web_process_refuses_a_private_key_as_its_xpub() -> None:
    account = (
        Bip44.FromSeed(Bip39SeedGenerator(DEV_MNEMONIC).Generate(), Bip44Coins.DOGECOIN_TESTNET)
        .Purpose()
        .Coin()
        .Account(0)
    )
    xprv = account.PrivateKey().ToExtended()
    result = probe({"WALLET_ACCOUNT_XPUB": xprv, "PROBE_SECRET": "unused"})
    assert result.returncode != 0
    assert "WALLET_ACCOUNT_XPUB: expected a public (xpub) account key" in result.stderr
    assert xprv not in result.stderr


#: Everything production requires before the wallet's own settings, so the first missing one is ours.
PRODUCTION_BASICS = {
    "DBAY_ENV": "production",
    "DJANGO_SECRET_KEY": "production-secret-for-the-test-" + "x" * 40,
    "DJANGO_ALLOWED_HOSTS": "wallet.example",
    "DATABASE_URL": "postgres://wallet:secret@db.example:5432/wallet",
    "REDIS_URL": "redis://redis.example:6379/3",
    "EVENT_BUS_REDIS_URL": "redis://redis.example:6379/0",
    "JWT_ISSUER": "dbay-user-service",
    "JWT_AUDIENCE": "dbay-api",
    "JWT_JWKS_URL": "https://user.example/.well-known/jwks.json",
    "DOGECOIN_RPC_URL": "http://dbay:secret@node.example:22555/",
    "DOGECOIN_NETWORK": "mainnet",
    "USER_SERVICE_URL": "http://user-service:8001",
}


def test_production_needs_an_xpub() -> None:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith(("SIGNER_", "WALLET_", "DBAY_ENV"))}
    env.update(PRODUCTION_BASICS)
    result = subprocess.run(
        [sys.executable, "-c", "import wallet_service.settings"],
        cwd=SERVICE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode != 0
    assert "MissingSetting: environment variable WALLET_ACCOUNT_XPUB is required" in result.stderr, (
        result.stderr
    )


def dev_account() -> AccountPublicKey:
    return AccountPublicKey(REGTEST, parse_account_key(DEV_ACCOUNT_XPUBS["regtest"], REGTEST))


def test_signer_reads_and_removes_its_key_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    monkeypatch.setenv("SIGNER_SEED_MNEMONIC", DEV_MNEMONIC)
    keys = load_signer_keys(network=REGTEST, account_xpub=dev_account())
    assert "SIGNER_SEED_MNEMONIC" not in os.environ
    expected = dev_account().pubkey_hash(AddressChain.EXTERNAL, 5).hex()
    assert len(keys.private_key(AddressChain.EXTERNAL, 5, expected_pubkey_hash=expected)) == 32
    with pytest.raises(KeyConfigurationError, match="does not match the stored address"):
        keys.private_key(AddressChain.EXTERNAL, 6, expected_pubkey_hash=expected)


def test_signer_accepts_the_account_xprv(monkeypatch: pytest.MonkeyPatch) -> None:
    account = (
        Bip44.FromSeed(Bip39SeedGenerator(DEV_MNEMONIC).Generate(), Bip44Coins.DOGECOIN_TESTNET)
        .Purpose()
        .Coin()
        .Account(0)
    )
    monkeypatch.setenv("SIGNER_XPRV", account.PrivateKey().ToExtended())
    keys = load_signer_keys(network=REGTEST, account_xpub=dev_account())
    assert keys.account.PublicKey().ToExtended() == DEV_ACCOUNT_XPUBS["regtest"]


def test_signer_refuses_a_key_that_is_not_the_xpubs_private_half(monkeypatch: pytest.MonkeyPatch) -> None:
    other = str(Bip39MnemonicGenerator().FromWordsNumber(Bip39WordsNum.WORDS_NUM_12))
    monkeypatch.setenv("SIGNER_SEED_MNEMONIC", other)
    with pytest.raises(KeyConfigurationError, match="not the private half of WALLET_ACCOUNT_XPUB"):
        load_signer_keys(network=REGTEST, account_xpub=dev_account())


def test_signer_refuses_to_start_in_production_without_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SIGNER_SEED_MNEMONIC", raising=False)
    monkeypatch.delenv("SIGNER_XPRV", raising=False)
    monkeypatch.setenv("DBAY_ENV", "production")
    with pytest.raises(MissingSetting, match="SIGNER_SEED_MNEMONIC"):
        load_signer_keys(network=REGTEST, account_xpub=dev_account())


def test_signer_refuses_both_keys_and_an_invalid_mnemonic(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIGNER_SEED_MNEMONIC", DEV_MNEMONIC)
    monkeypatch.setenv("SIGNER_XPRV", "x")
    with pytest.raises(KeyConfigurationError, match="not both"):
        load_signer_keys(network=REGTEST, account_xpub=dev_account())
    monkeypatch.setenv("SIGNER_SEED_MNEMONIC", "abandon " * 12)
    with pytest.raises(KeyConfigurationError, match="not a valid BIP39 mnemonic"):
        load_signer_keys(network=REGTEST, account_xpub=dev_account())
