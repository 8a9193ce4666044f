from django.urls import path

from auction_service.auctions.apis import AuctionsIndexApi

app_name = "auctions"

urlpatterns = [
    path("", AuctionsIndexApi.as_view(), name="index"),
]
