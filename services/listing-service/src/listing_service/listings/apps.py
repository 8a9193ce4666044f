from django.apps import AppConfig


class ListingsConfig(AppConfig):
    name = "listing_service.listings"
    label = "listings"
    verbose_name = "Listings"
