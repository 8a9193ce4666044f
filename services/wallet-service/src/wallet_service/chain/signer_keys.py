"""The hot key, loaded by ``manage.py run_signer`` and by nothing else.

The seed comes from the signer's own environment: ``SIGNER_SEED_MNEMONIC`` (BIP39 words) or
``SIGNER_XPRV`` (the account-level extended private key m/44'/c'/0'), exactly one of them. Outside
production, with neither set, the well-known test mnemonic is used so the development stack can pay
withdrawals; in production a missing key stops the signer at start. The variables are removed from
``os.environ`` once read, so no child process inherits them.

The key must belong to the account whose public half the web process uses (WALLET_ACCOUNT_XPUB):
otherwise the signer would be unable to spend the deposits, or worse, spend from another wallet.
The signer refuses to start on a mismatch.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from bip_utils import Bip39MnemonicValidator, Bip39SeedGenerator, Bip44, Bip44Changes

from dbay_common.settings import MissingSetting, is_production
from wallet_service.chain.keys import (
    AccountPublicKey,
    AddressChain,
    KeyConfigurationError,
    bip44_coin,
    hash160,
    parse_account_key,
)
from wallet_service.chain.networks import DEV_MNEMONIC, Network

SIGNER_KEY_VARIABLES = ("SIGNER_SEED_MNEMONIC", "SIGNER_XPRV")


@dataclass(frozen=True)
class SignerKeys:
    network: Network
    account: Bip44  # private, account level

    def private_key(self, chain: AddressChain, index: int, *, expected_pubkey_hash: str) -> bytes:
        """The 32-byte private key at m/44'/c'/0'/chain/index, checked against the address we stored."""
        change = Bip44Changes.CHAIN_EXT if chain == AddressChain.EXTERNAL else Bip44Changes.CHAIN_INT
        node = self.account.Change(change).AddressIndex(index)
        if hash160(bytes(node.PublicKey().RawCompressed().ToBytes())).hex() != expected_pubkey_hash:
            raise KeyConfigurationError(
                f"the signer's key does not match the stored address {chain.name}/{index}"
            )
        return bytes(node.PrivateKey().Raw().ToBytes())


def _take(name: str) -> str | None:
    value = os.environ.pop(name, None)
    return value.strip() if value and value.strip() else None


def load_signer_keys(*, network: Network, account_xpub: AccountPublicKey) -> SignerKeys:
    """Read (and remove) the signer's key from the environment; check it matches ``account_xpub``."""
    mnemonic = _take("SIGNER_SEED_MNEMONIC")
    xprv = _take("SIGNER_XPRV")
    if mnemonic and xprv:
        raise KeyConfigurationError("set SIGNER_SEED_MNEMONIC or SIGNER_XPRV, not both")
    if not mnemonic and not xprv:
        if is_production():
            raise MissingSetting("environment variable SIGNER_SEED_MNEMONIC (or SIGNER_XPRV) is required")
        mnemonic = DEV_MNEMONIC
    if mnemonic:
        if not Bip39MnemonicValidator().IsValid(mnemonic):
            raise KeyConfigurationError("SIGNER_SEED_MNEMONIC is not a valid BIP39 mnemonic")
        seed = Bip39SeedGenerator(mnemonic).Generate()
        account = Bip44.FromSeed(seed, bip44_coin(network)).Purpose().Coin().Account(0)
    else:
        assert xprv is not None
        account = parse_account_key(xprv, network, is_private=True)
    public = account.PublicKey()
    expected = account_xpub.account.PublicKey()
    if bytes(public.RawCompressed().ToBytes()) != bytes(expected.RawCompressed().ToBytes()) or bytes(
        public.ChainCode().ToBytes()
    ) != bytes(expected.ChainCode().ToBytes()):
        raise KeyConfigurationError("the signer's key is not the private half of WALLET_ACCOUNT_XPUB")
    return SignerKeys(network=network, account=account)
