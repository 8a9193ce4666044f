"""Listing view counts: counted in Redis on every view, added to PostgreSQL by a periodic job.

A view is one ``HINCRBY`` on the hash ``<prefix>pending`` (field: the listing id); a signed-in
viewer counts once per ``LISTING_VIEW_DEDUPE_S`` per listing (a ``SET NX EX`` marker), the seller not
at all. ``view_counts_flush`` renames the hash to ``<prefix>flushing`` (atomic: views counted during
the flush land in a new hash), adds each count to ``Listing.view_count`` with one UPDATE, then deletes
the renamed hash. A flush that dies before the delete leaves ``<prefix>flushing`` behind and the next
run finishes it first (at worst a crash between the commit and the delete counts one batch twice;
losing counts is never possible). The seller sees the stored count plus what is pending.
"""

from __future__ import annotations

import logging
import threading
import uuid

import redis
from django.conf import settings
from django.db import connection, transaction

logger = logging.getLogger(__name__)

_clients: dict[str, redis.Redis] = {}
_clients_lock = threading.Lock()


def _client() -> redis.Redis:
    url = str(settings.REDIS_URL)
    with _clients_lock:
        client = _clients.get(url)
        if client is None:
            client = redis.Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)
            _clients[url] = client
        return client


def _pending_key() -> str:
    return f"{settings.LISTING_VIEW_KEY_PREFIX}pending"


def _flushing_key() -> str:
    return f"{settings.LISTING_VIEW_KEY_PREFIX}flushing"


def listing_view_record(*, listing_id: uuid.UUID, viewer_id: uuid.UUID | None) -> bool:
    """Count one view of ``listing_id``; False when not counted (a repeat, or Redis is down)."""
    try:
        client = _client()
        if viewer_id is not None:
            marker = f"{settings.LISTING_VIEW_KEY_PREFIX}seen:{listing_id}:{viewer_id}"
            if not client.set(marker, 1, nx=True, ex=settings.LISTING_VIEW_DEDUPE_S):
                return False
        client.hincrby(_pending_key(), str(listing_id), 1)
        return True
    except redis.RedisError:
        logger.warning("view counter unavailable; view of %s not counted", listing_id, exc_info=True)
        return False


def listing_views_pending(listing_id: uuid.UUID) -> int:
    """Views counted in Redis and not yet added to PostgreSQL (0 when Redis is down)."""
    try:
        client = _client()
        pending = client.hget(_pending_key(), str(listing_id)) or 0
        flushing = client.hget(_flushing_key(), str(listing_id)) or 0
        return int(pending) + int(flushing)
    except redis.RedisError:
        return 0


def view_counts_flush() -> int:
    """Add the counted views to ``Listing.view_count``; returns how many listings were updated."""
    client = _client()
    pending, flushing = _pending_key(), _flushing_key()
    if not client.exists(flushing):
        try:
            client.rename(pending, flushing)
        except redis.ResponseError:
            return 0  # nothing counted since the last flush (no such key)
    raw = client.hgetall(flushing)
    counts: list[tuple[str, int]] = []
    for key, value in raw.items():
        try:
            counts.append((str(uuid.UUID(key.decode())), int(value)))
        except ValueError:
            logger.warning("ignoring a malformed view count entry %r", key)
    if counts:
        with transaction.atomic(), connection.cursor() as cursor:
            # One statement for the whole batch; ids of deleted listings simply match nothing.
            cursor.execute(
                "UPDATE listings_listing AS l SET view_count = l.view_count + c.views "
                "FROM unnest(%s::uuid[], %s::bigint[]) AS c(id, views) WHERE l.id = c.id",
                [[listing_id for listing_id, _ in counts], [views for _, views in counts]],
            )
            updated = cursor.rowcount
    else:
        updated = 0
    client.delete(flushing)
    return updated
