"""Settings of wallet-service: the shared dBay Django settings plus this service's own, in sections.

Every value comes from the environment (listed in .env.example), read once here, so the values live
in Django settings and tests override them with pytest-django's ``settings``. Development defaults
point at scripts/devstack; with DBAY_ENV=production a missing secret or URL stops the process at
start. This module imports no models and no key libraries: it runs before apps load.

What is deliberately *not* here:

* the signer's hot key. ``SIGNER_SEED_MNEMONIC`` / ``SIGNER_XPRV`` are read by ``manage.py
  run_signer`` alone (``wallet_service.chain.signer_keys``), so the web process's settings never
  carry a private key, even by accident;
* the intervals of the periodic jobs (``LEDGER_EXPIRY_SWEEP_INTERVAL_S``, ``RECONCILE_INTERVAL_S``):
  ``wallet_service.schedules`` reads them, because beat imports it before Django is set up.
"""

from pathlib import Path

from dbay_common.django.conf import common_settings
from dbay_common.settings import InvalidSetting, dev_url, env_int, env_str, is_production
from wallet_service.chain.networks import DEV_ACCOUNT_XPUBS, NETWORKS

_COMMON = common_settings(
    service="wallet-service",
    base_dir=Path(__file__).resolve().parent.parent,
    root_urlconf="wallet_service.urls",
    api_prefix="api/v1/wallet/",
    installed_apps=["wallet_service.ledger", "wallet_service.chain", "wallet_service.staff"],
    database_name="wallet",
    redis_db=3,
)
globals().update(_COMMON)

DBAY_EVENT_HANDLERS = "wallet_service.ledger.events:HANDLERS"

KOINU_PER_DOGE = 100_000_000

# ---- the Dogecoin node and network ---------------------------------------------------------------

# JSON-RPC endpoint of the Dogecoin node, credentials in the URL (http://user:password@host:port/).
DOGECOIN_RPC_URL = env_str("DOGECOIN_RPC_URL", dev_default=dev_url("dogecoin"))
CHAIN_RPC_TIMEOUT_S = env_int("CHAIN_RPC_TIMEOUT_S", default=10)
DOGECOIN_NETWORK = env_str("DOGECOIN_NETWORK", dev_default="regtest")
if DOGECOIN_NETWORK not in NETWORKS:
    raise InvalidSetting(f"DOGECOIN_NETWORK must be one of {', '.join(NETWORKS)}, not {DOGECOIN_NETWORK!r}")
# Account-level extended public key (m/44'/c'/0'): deposit and change addresses derive from it.
WALLET_ACCOUNT_XPUB = env_str("WALLET_ACCOUNT_XPUB", dev_default=DEV_ACCOUNT_XPUBS[DOGECOIN_NETWORK])

# ---- deposits ------------------------------------------------------------------------------------

# Deposit confirmations by network: a base number and tiers by amount. Mainnet: 20 blocks (about 20
# minutes; Dogecoin is merge-mined with Litecoin, and exchanges ask for 20-60) and 60 blocks (an
# hour) from 10,000 DOGE, where a reorg attack starts to pay. Regtest: 1, so the development stack
# credits as soon as a block is mined.
_DEFAULT_DEPOSIT_CONFIRMATIONS = {"mainnet": 20, "testnet": 6, "regtest": 1}
_DEFAULT_DEPOSIT_TIERS = {"mainnet": "1000000000000:60", "testnet": "none", "regtest": "none"}


def _confirmation_tiers(raw: str, *, name: str) -> tuple[tuple[int, int], ...]:
    """``"1000000000000:60,5000000000000:120"`` → ``((1000000000000, 60), (5000000000000, 120))``.

    ``"none"`` means no tiers (every deposit needs the base number of confirmations). Each item is
    ``<from amount in koinu>:<confirmations>``; thresholds strictly increasing, confirmations at
    least 1. A deposit of at least the threshold needs that many confirmations.
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


DEPOSIT_CONFIRMATIONS = env_int(
    "DEPOSIT_CONFIRMATIONS", default=_DEFAULT_DEPOSIT_CONFIRMATIONS[DOGECOIN_NETWORK]
)
DEPOSIT_CONFIRMATION_TIERS = _confirmation_tiers(
    env_str("DEPOSIT_CONFIRMATION_TIERS", default=_DEFAULT_DEPOSIT_TIERS[DOGECOIN_NETWORK]),
    name="DEPOSIT_CONFIRMATION_TIERS",
)

# ---- withdrawals ---------------------------------------------------------------------------------

_DEFAULT_WITHDRAWAL_CONFIRMATIONS = {"mainnet": 6, "testnet": 3, "regtest": 1}
WITHDRAWAL_CONFIRMATIONS = env_int(
    "WITHDRAWAL_CONFIRMATIONS", default=_DEFAULT_WITHDRAWAL_CONFIRMATIONS[DOGECOIN_NETWORK]
)
if DEPOSIT_CONFIRMATIONS < 1 or WITHDRAWAL_CONFIRMATIONS < 1:
    raise InvalidSetting("DEPOSIT_CONFIRMATIONS and WITHDRAWAL_CONFIRMATIONS must be at least 1")
# Policy, in koinu: the minimum (Dogecoin's soft dust, 0.01 DOGE), the per-user limit over 24 hours,
# the amount above which staff must approve; and how recent the token's TOTP check must be.
WITHDRAWAL_MIN_KOINU = env_int("WITHDRAWAL_MIN_KOINU", default=1_000_000)
WITHDRAWAL_DAILY_LIMIT_KOINU = env_int("WITHDRAWAL_DAILY_LIMIT_KOINU", default=100_000 * KOINU_PER_DOGE)
WITHDRAWAL_APPROVAL_THRESHOLD_KOINU = env_int(
    "WITHDRAWAL_APPROVAL_THRESHOLD_KOINU", default=10_000 * KOINU_PER_DOGE
)
WITHDRAWAL_MFA_MAX_AGE_S = env_int("WITHDRAWAL_MFA_MAX_AGE_S", default=300)

# ---- the chain follower (manage.py follow_chain) -------------------------------------------------

# Where a fresh database starts following: a height, or "tip" (the node's best block then).
_start_height = env_str("CHAIN_START_HEIGHT", default="tip")
if _start_height != "tip" and not _start_height.isdigit():
    raise InvalidSetting(f"CHAIN_START_HEIGHT must be a block height or 'tip', not {_start_height!r}")
CHAIN_START_HEIGHT = None if _start_height == "tip" else int(_start_height)
CHAIN_POLL_INTERVAL_MS = env_int("CHAIN_POLL_INTERVAL_MS", default=200)

# ---- the signer (manage.py run_signer; its key is not a setting, see above) ----------------------

SIGNER_POLL_INTERVAL_MS = env_int("SIGNER_POLL_INTERVAL_MS", default=500)
SIGNER_REBROADCAST_INTERVAL_S = env_int("SIGNER_REBROADCAST_INTERVAL_S", default=60)
SIGNER_MAX_BATCH = env_int("SIGNER_MAX_BATCH", default=20)

# ---- test hook: freeze a web worker at a step so a test can SIGKILL it there -----------------------

# A file naming the step (wallet_service.testing_hooks); refused in production.
WALLET_TEST_PAUSE_FILE = env_str("WALLET_TEST_PAUSE_FILE", default="")
if WALLET_TEST_PAUSE_FILE:
    if is_production():
        raise InvalidSetting("WALLET_TEST_PAUSE_FILE is a test hook and is refused in production")
    MIDDLEWARE: list[str] = _COMMON["MIDDLEWARE"]
    _idempotency = MIDDLEWARE.index("dbay_common.django.idempotency.middleware.IdempotencyMiddleware")
    MIDDLEWARE = [
        *MIDDLEWARE[:_idempotency],
        "wallet_service.testing_hooks.PauseOutsideIdempotencyMiddleware",
        MIDDLEWARE[_idempotency],
        "wallet_service.testing_hooks.PauseInsideIdempotencyMiddleware",
        *MIDDLEWARE[_idempotency + 1 :],
    ]

# ---- the ledger's internal API -------------------------------------------------------------------

# The `aud` of service tokens accepted by the internal API under /api/v1/wallet/internal/
# (read by dbay_common.drf.service_auth; development default dbay-internal, required in production).
INTERNAL_JWT_AUDIENCE = env_str("INTERNAL_JWT_AUDIENCE", dev_default="dbay-internal")

# The OpenAPI names of the ledger's enums.
SPECTACULAR_SETTINGS = {
    **_COMMON["SPECTACULAR_SETTINGS"],
    "ENUM_NAME_OVERRIDES": {
        **_COMMON["SPECTACULAR_SETTINGS"].get("ENUM_NAME_OVERRIDES", {}),
        "WalletTransferStateEnum": "wallet_service.ledger.policy.TRANSFER_STATES",
        "WalletTransferKindEnum": "wallet_service.ledger.policy.TRANSFER_KINDS",
        "WalletTransferDirectionEnum": "wallet_service.ledger.policy.TRANSFER_DIRECTIONS",
        "WalletHoldReasonEnum": "wallet_service.ledger.policy.HOLD_REASONS",
        "WalletPlatformAccountEnum": "wallet_service.ledger.policy.INTERNAL_PLATFORM_CODES",
        "WalletWithdrawalStatusEnum": "wallet_service.chain.apis.public.WITHDRAWAL_STATUSES",
        "WalletDepositStatusEnum": "wallet_service.chain.apis.public.DEPOSIT_STATUSES",
        "WalletReviewStatusEnum": "wallet_service.staff.selectors.REVIEW_STATUSES",
    },
}
