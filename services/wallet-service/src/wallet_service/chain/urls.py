from django.urls import path

from wallet_service.chain import apis

app_name = "chain"

urlpatterns = [
    path("deposit-address", apis.DepositAddressApi.as_view(), name="deposit-address"),
    path("deposits", apis.DepositListApi.as_view(), name="deposits"),
    path("withdrawals", apis.WithdrawalListApi.as_view(), name="withdrawals"),
    path("withdrawals/quote", apis.WithdrawalQuoteApi.as_view(), name="withdrawal-quote"),
    path("withdrawals/<uuid:withdrawal_id>", apis.WithdrawalDetailApi.as_view(), name="withdrawal"),
    path(
        "withdrawals/<uuid:withdrawal_id>/approve",
        apis.WithdrawalApproveApi.as_view(),
        name="withdrawal-approve",
    ),
    path(
        "withdrawals/<uuid:withdrawal_id>/reject",
        apis.WithdrawalRejectApi.as_view(),
        name="withdrawal-reject",
    ),
]
