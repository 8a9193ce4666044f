"""The watchlist: a user watches or stops watching a listing; ``Listing.watch_count`` follows."""

from __future__ import annotations

import uuid

from django.db import connection, transaction
from django.db.models import F

from dbay_common.errors import Conflict, PermissionDenied
from listing_service.listings.models import Listing, ListingStatus, Watch
from listing_service.listings.services.common import listing_not_found

WATCHABLE = (ListingStatus.SCHEDULED, ListingStatus.ACTIVE)


@transaction.atomic
def listing_watch(*, listing_id: uuid.UUID, user_id: uuid.UUID) -> bool:
    """Watch a scheduled or active listing of someone else (idempotent: True when newly watched).

    404 for a listing the user cannot see (a draft, cancelled or withdrawn listing of someone else),
    403 ``own_listing`` on one's own, 409 ``listing_not_watchable`` once it has ended. The watch is
    one ``INSERT ... ON CONFLICT DO NOTHING`` and the count one ``UPDATE ... SET watch_count =
    watch_count + 1`` in the same transaction, only when the insert added a row: two requests at
    once add one watch and count it once.
    """
    listing = Listing.objects.filter(id=listing_id).only("id", "seller_id", "status").first()
    if listing is None or (
        listing.seller_id != user_id
        and listing.status in (ListingStatus.DRAFT, ListingStatus.CANCELLED, ListingStatus.WITHDRAWN)
    ):
        raise listing_not_found()
    if listing.seller_id == user_id:
        raise PermissionDenied("You cannot watch your own listing.", code="own_listing")
    if listing.status not in WATCHABLE:
        raise Conflict("This listing has ended and cannot be watched.", code="listing_not_watchable")
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO listings_watch (user_id, listing_id, created_at) VALUES (%s, %s, now()) "
            "ON CONFLICT (user_id, listing_id) DO NOTHING RETURNING id",
            [user_id, listing_id],
        )
        is_new = cursor.fetchone() is not None
    if is_new:
        Listing.objects.filter(id=listing_id).update(watch_count=F("watch_count") + 1)
    return is_new


@transaction.atomic
def listing_unwatch(*, listing_id: uuid.UUID, user_id: uuid.UUID) -> bool:
    """Stop watching (idempotent: True when a watch was removed). Works whatever the listing's state,
    so a listing that ended or was taken down can leave the watchlist; 404 only when the listing does
    not exist for the user. The delete and ``watch_count - 1`` share the transaction."""
    listing = Listing.objects.filter(id=listing_id).only("id", "seller_id", "status").first()
    if listing is None or (listing.status == ListingStatus.DRAFT and listing.seller_id != user_id):
        raise listing_not_found()
    deleted, _ = Watch.objects.filter(user_id=user_id, listing_id=listing_id).delete()
    if deleted:
        Listing.objects.filter(id=listing_id).update(watch_count=F("watch_count") - 1)
    return bool(deleted)
