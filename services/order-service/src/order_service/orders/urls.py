"""Routes of order-service's own endpoints, mounted under its API prefix by `order_service.urls`."""

from django.urls import URLPattern

app_name = "orders"

urlpatterns: list[URLPattern] = []
