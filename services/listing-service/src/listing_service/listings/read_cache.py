"""The Memcached read cache (Django's cache framework, ``CACHES["default"]``): listing details and
the category tree.

A listing's cached snapshot is deleted right after the transaction that changed the listing commits
(``listing_cache_invalidate_on_commit``), so a read after an edit never answers the old price; readers
fill a missing entry with ``cache.add`` and a short lifetime (``LISTING_CACHE_TTL_S``), which bounds
how long a reader that read the row just before a commit can leave an old copy behind. A cache that
does not answer is skipped: reads fall back to PostgreSQL.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

CATEGORY_TREE_KEY = "categories:tree:v1"


def listing_cache_key(listing_id: uuid.UUID | str) -> str:
    return f"listing:detail:v1:{listing_id}"


def cache_get(key: str) -> Any:
    try:
        return cache.get(key)
    except Exception:
        logger.warning("listing cache unavailable (get %s)", key, exc_info=True)
        return None


def cache_add(key: str, value: Any, *, ttl_s: int | None = None) -> None:
    try:
        cache.add(key, value, timeout=ttl_s if ttl_s is not None else settings.LISTING_CACHE_TTL_S)
    except Exception:
        logger.warning("listing cache unavailable (add %s)", key, exc_info=True)


def cache_delete(key: str) -> None:
    try:
        cache.delete(key)
    except Exception:
        logger.warning("listing cache unavailable (delete %s)", key, exc_info=True)


def listing_cache_invalidate_on_commit(listing_id: uuid.UUID | str) -> None:
    """Delete the listing's cached detail once the current transaction commits (now, outside one)."""
    key = listing_cache_key(listing_id)
    transaction.on_commit(lambda: cache_delete(key))


def category_tree_invalidate_on_commit() -> None:
    """Delete the cached category tree once the current transaction commits."""
    transaction.on_commit(lambda: cache_delete(CATEGORY_TREE_KEY))
