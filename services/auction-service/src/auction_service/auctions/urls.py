"""Routes of auction-service's own endpoints, mounted under its API prefix by `auction_service.urls`."""

from django.urls import URLPattern

app_name = "auctions"

urlpatterns: list[URLPattern] = []
