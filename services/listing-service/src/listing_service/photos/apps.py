from django.apps import AppConfig


class PhotosConfig(AppConfig):
    name = "listing_service.photos"
    label = "photos"
    verbose_name = "Listing photos"
