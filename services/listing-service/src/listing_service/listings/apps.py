from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _category_tree_ensure(sender: AppConfig, *, using: str, apps: Any = None, **kwargs: Any) -> None:
    from django.apps import apps as global_apps

    from listing_service.listings.category_tree import category_tree_ensure

    # migrate passes the migrated state's registry; flush passes none (the models as they are).
    category_tree_ensure(apps=apps or global_apps, using=using)


class ListingsConfig(AppConfig):
    name = "listing_service.listings"
    label = "listings"
    verbose_name = "Listings"

    def ready(self) -> None:
        # Reference data back after a flush (see category_tree.py).
        post_migrate.connect(_category_tree_ensure, sender=self, dispatch_uid="listings_category_tree_ensure")
