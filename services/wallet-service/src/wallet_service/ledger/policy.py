"""What callers may ask of the ledger: reason codes, the accounts other services may name, and how a
request's ``Idempotency-Key`` stands in for a transfer id.

The ledger's service functions apply these rules; the API layer only uses the code lists to describe
its fields (OpenAPI enums). Nothing here touches the database.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from dbay_common.django.idempotency.middleware import IDEMPOTENCY_HEADER, MAX_KEY_LENGTH
from dbay_common.errors import InvalidRequest
from wallet_service.ledger.chart import (
    EXPIRED_REASON,
    PLATFORM_ACCOUNT_IDS,
    PlatformAccount,
    idempotency_key_transfer_id,
    user_wallet_account_id,
)
from wallet_service.ledger.errors import InvalidReason, ReasonReserved
from wallet_service.ledger.models import Transfer

# -- reasons ------------------------------------------------------------------------------------------

REASON_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,31}")

#: Reasons only the wallet's own code writes (deposits, withdrawals, corrections and the sweep).
RESERVED_REASONS = frozenset(
    {
        "deposit",
        "deposit_reversal",
        "deposit_shortfall",
        "withdrawal",
        "network_fee",
        "correction",
        EXPIRED_REASON,
    }
)
#: What the wallet's own code may not write either: only the expiry sweep writes ``expired``.
SWEEP_ONLY_REASONS = frozenset({EXPIRED_REASON})


def reason_check(reason: object, *, reserved: frozenset[str]) -> str:
    """``reason`` if it is a reason code its caller may write; the ledger's one reason check.

    Refusals (param ``reason``): 400 ``invalid_reason`` when it is not a reason code; 403
    ``reason_reserved`` when it is in ``reserved`` — :data:`RESERVED_REASONS` for other services,
    :data:`SWEEP_ONLY_REASONS` for the wallet's own code, nothing for a filter that only reads.
    """
    if not isinstance(reason, str) or not REASON_PATTERN.fullmatch(reason):
        raise InvalidReason(param="reason")
    if reason in reserved:
        raise ReasonReserved(f"reason {reason!r} is reserved for the wallet itself.", param="reason")
    return reason


# -- accounts other services may name -----------------------------------------------------------------

#: Which holding account a hold's reason reserves into.
HOLD_ACCOUNTS: dict[str, PlatformAccount] = {
    "bid_hold": PlatformAccount.BID_HOLDS,
    "order_escrow": PlatformAccount.ORDER_ESCROW,
}
#: The platform accounts other services may name. Custody, network fees, withdrawals in flight and
#: suspense move only with the chain (deposits, withdrawals, corrections), inside this service.
INTERNAL_PLATFORM_ACCOUNTS = (
    PlatformAccount.BID_HOLDS,
    PlatformAccount.ORDER_ESCROW,
    PlatformAccount.FEE_REVENUE,
)
HOLD_REASONS = list(HOLD_ACCOUNTS)
INTERNAL_PLATFORM_CODES = [account.value for account in INTERNAL_PLATFORM_ACCOUNTS]


@dataclass(frozen=True)
class AccountRef:
    """An account as another service names it: a user's wallet or an allowed platform account."""

    user_id: uuid.UUID | None = None
    platform: str | None = None

    def __post_init__(self) -> None:
        if (self.user_id is None) == (self.platform is None):
            raise ValueError("an AccountRef names exactly one of user_id and platform")
        if self.platform is not None and self.platform not in INTERNAL_PLATFORM_CODES:
            raise ValueError(f"{self.platform!r} is not a platform account other services may name")

    @property
    def account_id(self) -> uuid.UUID:
        if self.platform is not None:
            return PLATFORM_ACCOUNT_IDS[self.platform]
        assert self.user_id is not None
        return user_wallet_account_id(self.user_id)


# -- transfer ids -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Caller:
    """Who asks the internal API, and with which ``Idempotency-Key`` on which path (for derived ids)."""

    service: str
    path: str
    idempotency_key: str | None = None


def caller_transfer_id(*, given: uuid.UUID | None, caller: Caller, param: str) -> uuid.UUID:
    """The request's transfer id: ``given`` (the body's id), else derived from the ``Idempotency-Key``.

    Deriving is scoped to the calling service and the path, so two services' keys never meet. 400
    ``required`` (param ``param``) without either, 400 ``invalid_idempotency_key`` for a key that is
    not 1 to ``MAX_KEY_LENGTH`` printable characters.
    """
    if given is not None:
        return given
    key = caller.idempotency_key
    if key is None:
        raise InvalidRequest(
            f"{param} is required (or send an {IDEMPOTENCY_HEADER} header).", code="required", param=param
        )
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise InvalidRequest(
            f"The {IDEMPOTENCY_HEADER} header must be 1 to {MAX_KEY_LENGTH} printable characters.",
            code="invalid_idempotency_key",
            param=IDEMPOTENCY_HEADER,
        )
    return idempotency_key_transfer_id(caller=caller.service, path=caller.path, key=key)


# -- what the API shows (OpenAPI enums) ----------------------------------------------------------------

#: A hold's (pending transfer's) states; posted and voided also describe other transfers.
TRANSFER_STATES = ["pending", "posted", "voided", "expired"]
TRANSFER_KINDS = [kind.value for kind in Transfer.Kind]
TRANSFER_DIRECTIONS = ["in", "out"]
