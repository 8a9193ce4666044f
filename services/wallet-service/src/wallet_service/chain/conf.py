"""Configuration of the chain side of wallet-service: which Dogecoin network, which keys, which policy.

Read from the environment once, by ``settings.py`` (``globals().update(chain_settings())``), so the
values live in Django settings and tests can override them with pytest-django's ``settings``. This
module imports neither Django models nor key libraries: settings import it before apps load.

What is deliberately *not* here: the signer's hot key. ``SIGNER_SEED_MNEMONIC`` / ``SIGNER_XPRV`` are
read by ``manage.py run_signer`` alone (``wallet_service.chain.signer_keys``), so the web process's
settings never carry a private key, even by accident.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dbay_common.settings import InvalidSetting, env_int, env_str

KOINU_PER_DOGE = 100_000_000


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

# Deposit confirmations by network: (base, [(from_amount_koinu, confirmations), ...]).
# Mainnet: 20 blocks (about 20 minutes; Dogecoin is merge-mined with Litecoin, and exchanges ask
# for 20-60) and 60 blocks (an hour) from 10,000 DOGE, where a reorg attack starts to pay.
# Regtest: 1, so the development stack credits as soon as a block is mined.
DEFAULT_DEPOSIT_CONFIRMATIONS = {"mainnet": 20, "testnet": 6, "regtest": 1}
DEFAULT_DEPOSIT_TIERS = {"mainnet": "1000000000000:60", "testnet": "none", "regtest": "none"}
DEFAULT_WITHDRAWAL_CONFIRMATIONS = {"mainnet": 6, "testnet": 3, "regtest": 1}


def parse_confirmation_tiers(raw: str, *, name: str) -> tuple[tuple[int, int], ...]:
    """``"1000000000000:60,5000000000000:120"`` → ``((1000000000000, 60), (5000000000000, 120))``.

    ``"none"`` means no tiers (every deposit needs the base number of confirmations).

    Each item is ``<from amount in koinu>:<confirmations>``; thresholds strictly increasing,
    confirmations at least 1. A deposit of at least the threshold needs that many confirmations.
    """
    tiers: list[tuple[int, int]] = []
    if raw.strip().lower() == "none":
        return ()
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        threshold_text, _, confirmations_text = item.partition(":")
        try:
            threshold, confirmations = int(threshold_text, 10), int(confirmations_text, 10)
        except ValueError:
            raise InvalidSetting(f"{name}: {item!r} is not <amount_koinu>:<confirmations>") from None
        if threshold <= 0 or confirmations < 1:
            raise InvalidSetting(f"{name}: {item!r} needs a positive amount and at least 1 confirmation")
        if tiers and threshold <= tiers[-1][0]:
            raise InvalidSetting(f"{name}: thresholds must increase ({item!r})")
        tiers.append((threshold, confirmations))
    return tuple(tiers)


def chain_settings() -> dict[str, Any]:
    """The chain settings, read from the environment (see ``.env.example`` for each variable)."""
    network = env_str("DOGECOIN_NETWORK", dev_default="regtest")
    if network not in NETWORKS:
        raise InvalidSetting(f"DOGECOIN_NETWORK must be one of {', '.join(NETWORKS)}, not {network!r}")
    deposit_confirmations = env_int("DEPOSIT_CONFIRMATIONS", default=DEFAULT_DEPOSIT_CONFIRMATIONS[network])
    withdrawal_confirmations = env_int(
        "WITHDRAWAL_CONFIRMATIONS", default=DEFAULT_WITHDRAWAL_CONFIRMATIONS[network]
    )
    if deposit_confirmations < 1 or withdrawal_confirmations < 1:
        raise InvalidSetting("DEPOSIT_CONFIRMATIONS and WITHDRAWAL_CONFIRMATIONS must be at least 1")
    tiers_raw = env_str("DEPOSIT_CONFIRMATION_TIERS", default=DEFAULT_DEPOSIT_TIERS[network])
    start_height = env_str("CHAIN_START_HEIGHT", default="tip")
    if start_height != "tip" and not start_height.isdigit():
        raise InvalidSetting(f"CHAIN_START_HEIGHT must be a block height or 'tip', not {start_height!r}")
    return {
        "DOGECOIN_NETWORK": network,
        # Account-level extended public key (m/44'/c'/0'): deposit and change addresses derive from it.
        "WALLET_ACCOUNT_XPUB": env_str("WALLET_ACCOUNT_XPUB", dev_default=DEV_ACCOUNT_XPUBS[network]),
        "DEPOSIT_CONFIRMATIONS": deposit_confirmations,
        "DEPOSIT_CONFIRMATION_TIERS": parse_confirmation_tiers(tiers_raw, name="DEPOSIT_CONFIRMATION_TIERS"),
        "WITHDRAWAL_CONFIRMATIONS": withdrawal_confirmations,
        "WITHDRAWAL_MIN_KOINU": env_int("WITHDRAWAL_MIN_KOINU", default=1_000_000),
        "WITHDRAWAL_DAILY_LIMIT_KOINU": env_int(
            "WITHDRAWAL_DAILY_LIMIT_KOINU", default=100_000 * KOINU_PER_DOGE
        ),
        "WITHDRAWAL_APPROVAL_THRESHOLD_KOINU": env_int(
            "WITHDRAWAL_APPROVAL_THRESHOLD_KOINU", default=10_000 * KOINU_PER_DOGE
        ),
        "WITHDRAWAL_MFA_MAX_AGE_S": env_int("WITHDRAWAL_MFA_MAX_AGE_S", default=300),
        # Where a fresh database starts following: a height, or "tip" (the node's best block then).
        "CHAIN_START_HEIGHT": None if start_height == "tip" else int(start_height),
        "CHAIN_POLL_INTERVAL_MS": env_int("CHAIN_POLL_INTERVAL_MS", default=200),
        "CHAIN_RPC_TIMEOUT_S": env_int("CHAIN_RPC_TIMEOUT_S", default=10),
        "SIGNER_POLL_INTERVAL_MS": env_int("SIGNER_POLL_INTERVAL_MS", default=500),
        "SIGNER_REBROADCAST_INTERVAL_S": env_int("SIGNER_REBROADCAST_INTERVAL_S", default=60),
        "SIGNER_MAX_BATCH": env_int("SIGNER_MAX_BATCH", default=20),
        "RECONCILE_INTERVAL_S": env_int("RECONCILE_INTERVAL_S", default=600),
    }
