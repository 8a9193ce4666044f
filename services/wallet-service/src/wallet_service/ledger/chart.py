"""The chart of accounts: the platform accounts and how ids are derived.

Platform account ids and user wallet ids are derived (UUIDv5 in :data:`LEDGER_NAMESPACE`), so a
service function can name an account without looking it up, and the same id comes back after a
test flush or on another replica. Migration ``0003_platform_accounts`` creates the platform accounts
with exactly these ids (a test checks the two agree).
"""

from __future__ import annotations

import uuid
from enum import StrEnum

from wallet_service.ledger.models import LEDGER_NAMESPACE


class PlatformAccount(StrEnum):
    """The platform's own accounts. Their net balances plus all wallets' sum to zero."""

    #: The DOGE the chain holds for us. Debited by every confirmed deposit, credited by every
    #: confirmed withdrawal: minus its balance is what the users (and the platform) are owed.
    CUSTODY = "custody"
    #: Platform fees earned on completed orders.
    FEE_REVENUE = "fee_revenue"
    #: Dogecoin network fees paid by withdrawals (an expense: debited).
    NETWORK_FEES = "network_fees"
    #: Bidders' maxima, reserved by pending transfers (credits_pending) until the auction closes.
    BID_HOLDS = "bid_holds"
    #: Buyers' payments for orders until completed, refunded or split.
    ORDER_ESCROW = "order_escrow"
    #: Withdrawals reserved, then posted when they confirm on chain.
    WITHDRAWALS_IN_FLIGHT = "withdrawals_in_flight"
    #: Anything that needs a human, e.g. the unrecoverable part of a reversed deposit.
    SUSPENSE = "suspense"

    @property
    def account_id(self) -> uuid.UUID:
        return platform_account_id(self.value)


USER_WALLET_CODE = "user_wallet"

#: The reason of the voids the expiry sweep writes; reserved (no caller may use it).
EXPIRED_REASON = "expired"


def platform_account_id(code: str) -> uuid.UUID:
    """The fixed id of the platform account ``code``."""
    return uuid.uuid5(LEDGER_NAMESPACE, f"platform:{code}")


def user_wallet_account_id(user_id: uuid.UUID) -> uuid.UUID:
    """The id of ``user_id``'s wallet account (whether or not it exists yet)."""
    return uuid.uuid5(LEDGER_NAMESPACE, f"user_wallet:{user_id}")


def expiry_void_id(pending_id: uuid.UUID) -> uuid.UUID:
    """The id of the void the expiry sweep writes for ``pending_id``: one per pending transfer."""
    return uuid.uuid5(LEDGER_NAMESPACE, f"expired:{pending_id}")


def onward_transfer_id(post_id: uuid.UUID) -> uuid.UUID:
    """The id of the transfer that moves a posted amount on to another account (linked to the post)."""
    return uuid.uuid5(LEDGER_NAMESPACE, f"onward:{post_id}")


def replacement_void_id(new_pending_id: uuid.UUID) -> uuid.UUID:
    """The id of the void that releases the hold a new hold replaces (linked to the new hold)."""
    return uuid.uuid5(LEDGER_NAMESPACE, f"replaced-by:{new_pending_id}")


def idempotency_key_transfer_id(*, caller: str, path: str, key: str) -> uuid.UUID:
    """The transfer id standing in for an ``Idempotency-Key`` on the internal API (caller and path
    scoped, so two services' keys never meet)."""
    return uuid.uuid5(LEDGER_NAMESPACE, f"idempotency-key:{caller}\n{path}\n{key}")


PLATFORM_ACCOUNT_IDS: dict[str, uuid.UUID] = {
    account.value: account.account_id for account in PlatformAccount
}
