from django.urls import path

from listing_service.listings.apis import ListingsIndexApi

app_name = "listings"

urlpatterns = [
    path("", ListingsIndexApi.as_view(), name="index"),
]
