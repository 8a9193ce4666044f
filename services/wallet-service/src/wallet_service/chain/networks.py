"""The Dogecoin networks the wallet knows, and the public development keys.

Pure data: no Django, no key libraries, so ``settings.py`` can read it before apps load.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Network:
    """Version bytes and BIP44 coin type of one Dogecoin network (Dogecoin Core 1.14 chainparams)."""

    name: str
    p2pkh_version: int
    p2sh_version: int
    wif_version: int
    bip44_coin_type: int


NETWORKS: dict[str, Network] = {
    "mainnet": Network("mainnet", p2pkh_version=0x1E, p2sh_version=0x16, wif_version=0x9E, bip44_coin_type=3),
    "testnet": Network("testnet", p2pkh_version=0x71, p2sh_version=0xC4, wif_version=0xF1, bip44_coin_type=1),
    "regtest": Network("regtest", p2pkh_version=0x6F, p2sh_version=0xC4, wif_version=0xEF, bip44_coin_type=1),
}

# The account-level (m/44'/c'/0') extended public keys of the well-known test mnemonic
# "abandon abandon ... about" (BIP39, no passphrase). Used only outside production, so `make up`
# works without configuration; the web process therefore never derives anything from a seed, even in
# development. tests/chain/test_keys.py checks they match the mnemonic. Anyone can spend these keys.
DEV_ACCOUNT_XPUBS = {
    "mainnet": (
        "dgub8rUhDtD3YFGZTUphBfpBbzvFxSMKQXYLzg87Me2ta78r2SdVLmypBUkkxrrn9RTnchsyiJSkHZyLWxD13ibBiXtuFWktBoDaGaZjQUBLNLs"
    ),
    "testnet": (
        "tgub5QziLPy2KFnZgdWALMfCBZcPpFQxtmu3sMDKvDdt1L7WAiAWXpAqf1S9FzNEEa7ipDM6kEy4o9mrVGshjxMKMoq383HELMHguMNGgRryJwt"
    ),
}
DEV_ACCOUNT_XPUBS["regtest"] = DEV_ACCOUNT_XPUBS["testnet"]
DEV_MNEMONIC = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
