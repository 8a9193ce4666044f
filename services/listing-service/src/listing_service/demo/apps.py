from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo marketplace (``manage.py seed_demo``): no tables of its own."""

    name = "listing_service.demo"
    label = "demo"
    verbose_name = "Demo data"
