"""Public-key side of the HD wallet: account xpub, address derivation, address encoding and checks.

Only public keys live here. The web-facing wallet-service parses the account-level extended public
key (``m/44'/c'/0'``, BIP44; ``c`` = 3 on mainnet, 1 on testnet and regtest) and derives
``m/44'/c'/0'/0/i`` (deposit addresses, the external chain) and ``m/44'/c'/0'/1/i`` (change, the
internal chain) from it. Addresses are legacy P2PKH, encoded here from the compressed public key's
HASH160 with base58check and the network's version byte, so every network (including regtest,
which bip-utils does not know) goes through the same code.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from enum import IntEnum
from typing import Literal

from bip_utils import (
    Base58Decoder,
    Base58Encoder,
    Bip44,
    Bip44Changes,
    Bip44Coins,
    Bip44DepthError,
    Bip44Levels,
    Hash160,
)
from bip_utils.base58.base58_ex import Base58ChecksumError
from bip_utils.bip.bip32.bip32_ex import Bip32KeyError

from wallet_service.chain.networks import NETWORKS, Network

#: Highest non-hardened BIP32 child index.
MAX_CHILD_INDEX = 2**31 - 1


class AddressChain(IntEnum):
    """The BIP44 change level: 0 for receiving (deposit) addresses, 1 for our own change."""

    EXTERNAL = 0
    INTERNAL = 1


class KeyConfigurationError(ValueError):
    """WALLET_ACCOUNT_XPUB (or the signer's key) is unusable: the message says why, never the key."""


class AddressError(ValueError):
    """A withdrawal address is invalid for the configured network: the message is safe to show."""


def bip44_coin(network: Network) -> Bip44Coins:
    """bip-utils' coin for ``network``'s BIP44 path: Dogecoin (3) on mainnet, its testnet (1) otherwise.

    bip-utils has no Dogecoin regtest; regtest uses testnet's coin type and extended-key versions,
    and only the address version byte differs, which :func:`p2pkh_address` sets itself.
    """
    return Bip44Coins.DOGECOIN if network.name == "mainnet" else Bip44Coins.DOGECOIN_TESTNET


@dataclass(frozen=True)
class AccountPublicKey:
    """An account-level extended public key, ready to derive addresses on one network."""

    network: Network
    account: Bip44

    def public_key(self, chain: AddressChain, index: int) -> bytes:
        """The 33-byte compressed public key at ``m/44'/c'/0'/chain/index``."""
        if not 0 <= index <= MAX_CHILD_INDEX:
            raise ValueError(f"address index out of range: {index}")
        change = Bip44Changes.CHAIN_EXT if chain == AddressChain.EXTERNAL else Bip44Changes.CHAIN_INT
        node = self.account.Change(change).AddressIndex(index)
        return bytes(node.PublicKey().RawCompressed().ToBytes())

    def pubkey_hash(self, chain: AddressChain, index: int) -> bytes:
        """HASH160 of the compressed public key: what a P2PKH output script pays to."""
        return hash160(self.public_key(chain, index))

    def address(self, chain: AddressChain, index: int) -> str:
        return p2pkh_address(self.pubkey_hash(chain, index), self.network)


def parse_account_key(extended_key: str, network: Network, *, is_private: bool = False) -> Bip44:
    """Parse an account-level (depth 3, ``m/44'/c'/0'``) extended key for ``network``.

    Refuses a private key where a public one is expected (the web process must never hold one), a
    key for another network, and a key at another depth or account. Error messages never contain
    the key.
    """
    coin = bip44_coin(network)
    try:
        account = Bip44.FromExtendedKey(extended_key, coin)
    except Bip44DepthError:
        raise KeyConfigurationError(
            "the extended key must be at account level m/44'/c'/0' (depth 3)"
        ) from None
    except (Bip32KeyError, ValueError) as error:
        raise KeyConfigurationError(
            f"not a valid {network.name} account extended key ({type(error).__name__}); mainnet keys start "
            "with dgub/dgpv, testnet and regtest keys with tgub/tgpv"
        ) from None
    if account.IsPublicOnly() == is_private:
        wanted = "a private (xprv)" if is_private else "a public (xpub)"
        raise KeyConfigurationError(f"expected {wanted} account key")
    if account.Level() != Bip44Levels.ACCOUNT:
        raise KeyConfigurationError("the extended key must be at account level m/44'/c'/0' (depth 3)")
    index = account.Bip32Object().Index()
    if not index.IsHardened() or int(index) != 2**31:
        raise KeyConfigurationError("the extended key must be account 0' (m/44'/c'/0')")
    return account


@functools.cache
def _account_public_key(extended_key: str, network_name: str) -> AccountPublicKey:
    network = NETWORKS[network_name]
    return AccountPublicKey(network=network, account=parse_account_key(extended_key, network))


def account_public_key() -> AccountPublicKey:
    """The configured account key (settings WALLET_ACCOUNT_XPUB on DOGECOIN_NETWORK), parsed once."""
    from django.conf import settings

    return _account_public_key(settings.WALLET_ACCOUNT_XPUB, settings.DOGECOIN_NETWORK)


def configured_network() -> Network:
    from django.conf import settings

    return NETWORKS[settings.DOGECOIN_NETWORK]


# -- hashing and encoding ------------------------------------------------------------------------------


def sha256d(data: bytes) -> bytes:
    return hashlib.sha256(hashlib.sha256(data).digest()).digest()


def hash160(data: bytes) -> bytes:
    """RIPEMD160(SHA256(data)) (bip-utils' implementation: OpenSSL 3 may lack RIPEMD160)."""
    return bytes(Hash160.QuickDigest(data))


def p2pkh_address(pubkey_hash: bytes, network: Network) -> str:
    if len(pubkey_hash) != 20:
        raise ValueError("a public key hash is 20 bytes")
    return str(Base58Encoder.CheckEncode(bytes([network.p2pkh_version]) + pubkey_hash))


@dataclass(frozen=True)
class DecodedAddress:
    kind: Literal["p2pkh", "p2sh"]
    hash: bytes

    def script_pubkey(self) -> bytes:
        if self.kind == "p2pkh":
            return b"\x76\xa9\x14" + self.hash + b"\x88\xac"
        return b"\xa9\x14" + self.hash + b"\x87"


def _networks_with_version(version: int) -> list[str]:
    return [
        network.name
        for network in NETWORKS.values()
        if version in (network.p2pkh_version, network.p2sh_version)
    ]


def decode_address(address: str, network: Network) -> DecodedAddress:
    """Check ``address`` (base58check, 25 bytes, version byte of ``network``) and decode it.

    Raises :class:`AddressError` with a message a user can act on: a checksum typo, or an address of
    another Dogecoin network (a mainnet ``D...`` address on regtest, say).
    """
    if not isinstance(address, str) or not 26 <= len(address) <= 35 or not address.isascii():
        raise AddressError("Not a Dogecoin address: expected 26 to 35 base58 characters.")
    try:
        payload = bytes(Base58Decoder.CheckDecode(address))
    except Base58ChecksumError:
        raise AddressError("The address has an invalid checksum: check it for typos.") from None
    except (ValueError, TypeError):
        raise AddressError("Not a Dogecoin address: it is not valid base58.") from None
    if len(payload) != 21:
        raise AddressError("Not a Dogecoin address: wrong length.")
    version, body = payload[0], payload[1:]
    if version == network.p2pkh_version:
        return DecodedAddress("p2pkh", body)
    if version == network.p2sh_version:
        return DecodedAddress("p2sh", body)
    others = _networks_with_version(version)
    if others:
        raise AddressError(
            f"This is a Dogecoin {' or '.join(others)} address, but this service runs on {network.name}."
        )
    raise AddressError(f"Not a Dogecoin {network.name} address.")


def pubkey_hash_of_p2pkh_script(script: bytes) -> bytes | None:
    """The 20-byte hash a standard P2PKH output script pays to, or None for any other script."""
    if len(script) == 25 and script[:3] == b"\x76\xa9\x14" and script[23:] == b"\x88\xac":
        return script[3:23]
    return None


def dogecoin_uri(address: str, amount_koinu: int | None = None) -> str:
    """A BIP21-style ``dogecoin:`` URI, with the amount in DOGE when given."""
    if amount_koinu is None:
        return f"dogecoin:{address}"
    whole, fraction = divmod(amount_koinu, 100_000_000)
    amount = f"{whole}.{fraction:08d}".rstrip("0").rstrip(".")
    return f"dogecoin:{address}?amount={amount}"
