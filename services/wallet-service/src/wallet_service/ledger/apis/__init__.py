"""HTTP API of the ledger: thin views that parse input, call one function, render output.

Two audiences:

* users (access tokens, ``JwtAuthentication``): ``GET balance`` and ``GET transfers``
  (:mod:`.public`);
* other services (service tokens, :class:`~dbay_common.drf.service_auth.ServiceJwtAuthentication`):
  ``internal/holds`` and ``internal/transfers`` (:mod:`.internal`), the contract in
  ``docs/api-contracts/wallet-internal.md``.
"""

from wallet_service.ledger.apis.internal import (
    InternalHoldCreateApi,
    InternalHoldDetailApi,
    InternalHoldPostApi,
    InternalHoldVoidApi,
    InternalTransferCreateApi,
)
from wallet_service.ledger.apis.public import WalletBalanceApi, WalletTransferListApi

__all__ = [
    "InternalHoldCreateApi",
    "InternalHoldDetailApi",
    "InternalHoldPostApi",
    "InternalHoldVoidApi",
    "InternalTransferCreateApi",
    "WalletBalanceApi",
    "WalletTransferListApi",
]
