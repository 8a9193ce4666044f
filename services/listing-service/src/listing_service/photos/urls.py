"""Routes of listing photos, mounted under the API prefix (/api/v1/listings/) by listing_service.urls."""

from django.urls import URLPattern, path

from listing_service.photos import apis

app_name = "photos"

urlpatterns: list[URLPattern] = [
    path("<uuid:listing_id>/photos", apis.PhotoUploadApi.as_view(), name="photo-upload"),
    path("<uuid:listing_id>/photos/order", apis.PhotoReorderApi.as_view(), name="photo-reorder"),
    path("<uuid:listing_id>/photos/<uuid:photo_id>", apis.PhotoDeleteApi.as_view(), name="photo-delete"),
    path("photos/<uuid:photo_id>/<str:size>", apis.PhotoFileApi.as_view(), name="photo-file"),
]
