"""Address derivation and validation: BIP44 vectors, our own base58check encoding, network checks."""

from __future__ import annotations

import pytest
from bip_utils import Bip39SeedGenerator, Bip44, Bip44Changes, Bip44Coins

from wallet_service.chain.keys import (
    AccountPublicKey,
    AddressChain,
    AddressError,
    KeyConfigurationError,
    decode_address,
    dogecoin_uri,
    hash160,
    p2pkh_address,
    parse_account_key,
)
from wallet_service.chain.networks import DEV_ACCOUNT_XPUBS, DEV_MNEMONIC, NETWORKS

MAINNET, TESTNET, REGTEST = NETWORKS["mainnet"], NETWORKS["testnet"], NETWORKS["regtest"]


def account_key(network_name: str) -> AccountPublicKey:
    network = NETWORKS[network_name]
    return AccountPublicKey(network, parse_account_key(DEV_ACCOUNT_XPUBS[network_name], network))


def test_abandon_about_vector_on_mainnet() -> None:
    # FACTS.md: "abandon x11 about" at m/44'/3'/0'/0/0.
    assert account_key("mainnet").address(AddressChain.EXTERNAL, 0) == "DBus3bamQjgJULBJtYXpEzDWQRwF5iwxgC"


@pytest.mark.parametrize("network_name", ["mainnet", "testnet"])
def test_dev_xpubs_are_the_test_mnemonic_accounts(network_name: str) -> None:
    coin = Bip44Coins.DOGECOIN if network_name == "mainnet" else Bip44Coins.DOGECOIN_TESTNET
    account = Bip44.FromSeed(Bip39SeedGenerator(DEV_MNEMONIC).Generate(), coin).Purpose().Coin().Account(0)
    assert DEV_ACCOUNT_XPUBS[network_name] == account.PublicKey().ToExtended()
    # Our encoding agrees with bip-utils' own Dogecoin addresses on both chains.
    for change, chain in (
        (Bip44Changes.CHAIN_EXT, AddressChain.EXTERNAL),
        (Bip44Changes.CHAIN_INT, AddressChain.INTERNAL),
    ):
        for index in (0, 1, 7):
            expected = account.Change(change).AddressIndex(index).PublicKey().ToAddress()
            assert account_key(network_name).address(chain, index) == expected


def test_regtest_addresses_use_prefix_0x6f_on_testnet_coin_type() -> None:
    key = account_key("regtest")
    address = key.address(AddressChain.EXTERNAL, 0)
    assert address[0] in "mn"
    assert decode_address(address, REGTEST).hash == key.pubkey_hash(AddressChain.EXTERNAL, 0)
    # Same key as testnet (coin type 1), only the version byte differs.
    assert key.pubkey_hash(AddressChain.EXTERNAL, 0) == account_key("testnet").pubkey_hash(
        AddressChain.EXTERNAL, 0
    )
    assert account_key("testnet").address(AddressChain.EXTERNAL, 0)[0] == "n"


def test_regtest_address_is_valid_on_the_node(node) -> None:  # type: ignore[no-untyped-def]
    address = account_key("regtest").address(AddressChain.EXTERNAL, 3)
    assert node.wallet.call("validateaddress", address)["isvalid"] is True


def test_external_and_internal_chains_differ() -> None:
    key = account_key("regtest")
    assert key.address(AddressChain.EXTERNAL, 0) != key.address(AddressChain.INTERNAL, 0)


@pytest.mark.parametrize(
    ("address", "message"),
    [
        (
            "DBus3bamQjgJULBJtYXpEzDWQRwF5iwxgC",
            "This is a Dogecoin mainnet address, but this service runs on regtest.",
        ),
        ("DBus3bamQjgJULBJtYXpEzDWQRwF5iwxgD", "The address has an invalid checksum: check it for typos."),
        ("hello", "Not a Dogecoin address: expected 26 to 35 base58 characters."),
        ("0OIl" * 8, "Not a Dogecoin address: it is not valid base58."),
        # A Bitcoin mainnet P2PKH address (version 0x00).
        ("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "Not a Dogecoin regtest address."),
    ],
)
def test_invalid_addresses_are_refused_with_a_clear_message(address: str, message: str) -> None:
    with pytest.raises(AddressError) as error:
        decode_address(address, REGTEST)
    assert str(error.value) == message


def test_testnet_p2pkh_is_refused_on_regtest_but_shared_p2sh_is_accepted() -> None:
    testnet_address = p2pkh_address(bytes(range(20)), TESTNET)
    with pytest.raises(AddressError, match="Dogecoin testnet address"):
        decode_address(testnet_address, REGTEST)
    p2sh = decode_address("2N1SP7r92ZZJvYKG2oNtzPwYnzw62up7mTo", REGTEST)
    assert p2sh.kind == "p2sh"
    assert p2sh.script_pubkey()[:2] == b"\xa9\x14"


def test_mainnet_address_accepted_on_mainnet() -> None:
    decoded = decode_address("DBus3bamQjgJULBJtYXpEzDWQRwF5iwxgC", MAINNET)
    assert decoded.kind == "p2pkh"
    assert p2pkh_address(decoded.hash, MAINNET) == "DBus3bamQjgJULBJtYXpEzDWQRwF5iwxgC"


def test_private_key_refused_where_the_xpub_goes() -> None:
    account = (
        Bip44.FromSeed(Bip39SeedGenerator(DEV_MNEMONIC).Generate(), Bip44Coins.DOGECOIN)
        .Purpose()
        .Coin()
        .Account(0)
    )
    xprv = account.PrivateKey().ToExtended()
    with pytest.raises(KeyConfigurationError) as error:
        parse_account_key(xprv, MAINNET)
    assert str(error.value) == "expected a public (xpub) account key"
    assert xprv not in str(error.value)


def test_wrong_network_and_wrong_depth_refused() -> None:
    with pytest.raises(KeyConfigurationError, match="not a valid regtest account extended key"):
        parse_account_key(DEV_ACCOUNT_XPUBS["mainnet"], REGTEST)
    coin_level = (
        Bip44.FromSeed(Bip39SeedGenerator(DEV_MNEMONIC).Generate(), Bip44Coins.DOGECOIN).Purpose().Coin()
    )
    with pytest.raises(KeyConfigurationError, match="account level"):
        parse_account_key(coin_level.PublicKey().ToExtended(), MAINNET)


def test_dogecoin_uri() -> None:
    assert dogecoin_uri("nX") == "dogecoin:nX"
    assert dogecoin_uri("nX", 150_000_000) == "dogecoin:nX?amount=1.5"
    assert dogecoin_uri("nX", 1) == "dogecoin:nX?amount=0.00000001"
    assert dogecoin_uri("nX", 300_000_000) == "dogecoin:nX?amount=3"


def test_hash160_vector() -> None:
    # HASH160 of the empty string.
    assert hash160(b"").hex() == "b472a266d0bd89c13706a4132ccfb16f7c3b9fcb"
