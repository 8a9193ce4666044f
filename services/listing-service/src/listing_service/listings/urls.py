"""Routes of listing-service's own endpoints, mounted under its API prefix by `listing_service.urls`."""

from django.urls import URLPattern

app_name = "listings"

urlpatterns: list[URLPattern] = []
