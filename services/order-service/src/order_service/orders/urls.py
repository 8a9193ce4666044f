from django.urls import path

from order_service.orders.apis import OrderIndexApi

app_name = "orders"

urlpatterns = [
    path("", OrderIndexApi.as_view(), name="index"),
]
