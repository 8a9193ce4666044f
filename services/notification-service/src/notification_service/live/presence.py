"""Whether a user has a live-channel socket open right now.

Each live server instance keeps, for every signed-in user with at least one socket open on it, a
field in the user's presence hash (``dbay:live:online:<user_id>``): field = the instance id, value =
a deadline (epoch seconds) it pushes forward every few seconds. The whole hash also expires, so a
crashed instance's marks vanish by themselves within ``LIVE_PRESENCE_TTL_S``. A user is online when
any field's deadline is in the future. The notification-service asks this before emailing someone
about a message they are already reading.
"""

from __future__ import annotations

import time

import redis

from notification_service.live.topics import presence_key

__all__ = ["user_is_online"]


def user_is_online(redis_client: redis.Redis, user_id: str) -> bool:
    """True when ``user_id`` has a signed-in live socket open on some live server instance."""
    values = redis_client.hvals(presence_key(str(user_id)))
    now = time.time()
    for value in values:
        try:
            if float(value) > now:
                return True
        except (TypeError, ValueError):
            continue
    return False
