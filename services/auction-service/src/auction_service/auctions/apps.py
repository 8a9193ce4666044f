from django.apps import AppConfig


class AuctionsConfig(AppConfig):
    name = "auction_service.auctions"
    label = "auctions"
    verbose_name = "Auctions"
