"""The default category tree is reference data: it must exist wherever the schema does.

Migration ``0002_category_tree`` seeds it. A database flush (``manage.py flush``, and every
transactional test's teardown) empties every table and then emits ``post_migrate``; this module puts
the tree back then, so the tree never goes missing under the code that needs it. It only inserts
missing nodes (never updates or deletes), reading the tree from that migration, the one definition.
"""

from __future__ import annotations

import importlib
from typing import Any

SEED_MIGRATION = "listing_service.listings.migrations.0002_category_tree"


def category_tree_ensure(*, apps: Any, using: str = "default") -> int:
    """Insert the seeded categories that are missing (by id); returns how many were inserted."""
    try:
        category_model = apps.get_model("listings", "Category")
    except LookupError:
        return 0  # migrating to a state before the categories exist
    tree = importlib.import_module(SEED_MIGRATION).TREE
    existing = set(category_model.objects.using(using).values_list("id", flat=True))
    tops, leaves = [], []
    for top_position, (top_slug, top_name, children) in enumerate(tree):
        if top_slug not in existing:
            tops.append(
                category_model(id=top_slug, name=top_name, position=top_position, suggested_specifics=[])
            )
        for position, (leaf_slug, leaf_name, specifics) in enumerate(children):
            leaf_id = f"{top_slug}.{leaf_slug}"
            if leaf_id not in existing:
                leaves.append(
                    category_model(
                        id=leaf_id,
                        parent_id=top_slug,
                        name=leaf_name,
                        position=position,
                        suggested_specifics=specifics,
                    )
                )
    category_model.objects.using(using).bulk_create(tops, ignore_conflicts=True)
    category_model.objects.using(using).bulk_create(leaves, ignore_conflicts=True)
    return len(tops) + len(leaves)
