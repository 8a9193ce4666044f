from django.urls import path

from wallet_service.chain.apis import public

app_name = "chain"

urlpatterns = [
    path("deposit-address", public.DepositAddressApi.as_view(), name="deposit-address"),
    path("deposits", public.DepositListApi.as_view(), name="deposits"),
    path("withdrawals", public.WithdrawalListApi.as_view(), name="withdrawals"),
    path("withdrawals/quote", public.WithdrawalQuoteApi.as_view(), name="withdrawal-quote"),
    path(
        "withdrawals/address-check",
        public.WithdrawalAddressCheckApi.as_view(),
        name="withdrawal-address-check",
    ),
    path("withdrawals/<uuid:withdrawal_id>", public.WithdrawalDetailApi.as_view(), name="withdrawal"),
]
