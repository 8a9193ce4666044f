"""The Memcached read cache (Django's cache framework, ``CACHES["default"]``): listing details and
the category tree.

No stale price after an edit: each listing has a *generation* token in the cache, replaced by a new
random one right after every transaction that changed the listing commits
(``listing_cache_invalidate_on_commit``, which also deletes the cached detail). A cached detail
carries the token that was current when its reader began; a reader accepts an entry only when its
token is the current one. So a reader that read the row just before an edit committed and stores its
copy just after can never have that copy served: its token is already out of date. Entries live
``LISTING_CACHE_TTL_S``, tokens twice as long. A cache that does not answer is skipped: reads fall
back to PostgreSQL.
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


def listing_generation_key(listing_id: uuid.UUID | str) -> str:
    return f"listing:generation:v1:{listing_id}"


def cache_get_many(keys: list[str]) -> dict[str, Any]:
    try:
        return dict(cache.get_many(keys))
    except Exception:
        logger.warning("listing cache unavailable (get_many)", exc_info=True)
        return {}


def cache_set(key: str, value: Any, *, ttl_s: int) -> None:
    try:
        cache.set(key, value, timeout=ttl_s)
    except Exception:
        logger.warning("listing cache unavailable (set %s)", key, exc_info=True)


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


def listing_cache_invalidate(listing_id: uuid.UUID | str) -> None:
    """A new generation for the listing (every cached copy is out of date) and its entry deleted."""
    cache_set(
        listing_generation_key(listing_id), uuid.uuid4().hex, ttl_s=2 * int(settings.LISTING_CACHE_TTL_S)
    )
    cache_delete(listing_cache_key(listing_id))


def listing_cache_invalidate_on_commit(listing_id: uuid.UUID | str) -> None:
    """``listing_cache_invalidate`` once the current transaction commits (now, outside one)."""
    transaction.on_commit(lambda: listing_cache_invalidate(listing_id))


def category_tree_invalidate_on_commit() -> None:
    """Delete the cached category tree once the current transaction commits."""
    transaction.on_commit(lambda: cache_delete(CATEGORY_TREE_KEY))
