from django.urls import path

from user_service.accounts.apis import UserIndexApi

app_name = "accounts"

urlpatterns = [
    path("", UserIndexApi.as_view(), name="index"),
]
