from django.urls import path

from wallet_service.ledger.apis import WalletIndexApi

app_name = "ledger"

urlpatterns = [
    path("", WalletIndexApi.as_view(), name="index"),
]
