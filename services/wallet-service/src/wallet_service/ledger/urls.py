"""Routes of the ledger under /api/v1/wallet/ (the index, OpenAPI and docs come from the lib)."""

from django.urls import path

from wallet_service.ledger.apis import (
    InternalHoldCreateApi,
    InternalHoldDetailApi,
    InternalHoldPostApi,
    InternalHoldVoidApi,
    InternalTransferCreateApi,
    WalletBalanceApi,
    WalletTransferListApi,
)

app_name = "ledger"

urlpatterns = [
    path("balance", WalletBalanceApi.as_view(), name="balance"),
    path("transfers", WalletTransferListApi.as_view(), name="transfers"),
    path("internal/holds", InternalHoldCreateApi.as_view(), name="internal-holds"),
    path("internal/holds/<uuid:hold_id>", InternalHoldDetailApi.as_view(), name="internal-hold"),
    path("internal/holds/<uuid:hold_id>/post", InternalHoldPostApi.as_view(), name="internal-hold-post"),
    path("internal/holds/<uuid:hold_id>/void", InternalHoldVoidApi.as_view(), name="internal-hold-void"),
    path("internal/transfers", InternalTransferCreateApi.as_view(), name="internal-transfers"),
]
