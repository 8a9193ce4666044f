"""listing-service's copy of members' names and suspension (``Seller``), kept from user-service's
events."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from listing_service.listings import events
from listing_service.listings.models import Listing, ListingStatus, Seller
from listing_service.listings.services.common import listing_record_change


@transaction.atomic
def seller_upsert(*, user_id: uuid.UUID, username: str, display_name: str | None) -> Seller:
    """Create or update the seller's names (``display_name=None`` keeps the stored one).

    Locks the seller row. When the username changes, each of the seller's listings past draft gets a
    new version and ``listing.updated`` (their snapshots carry ``seller_username``), locked in id order.
    """
    seller = Seller.objects.select_for_update().filter(user_id=user_id).first()
    now = timezone.now()
    if seller is None:
        seller, created = Seller.objects.get_or_create(
            user_id=user_id,
            defaults={"username": username, "display_name": display_name or "", "updated_at": now},
        )
        if created:
            return seller
        seller = Seller.objects.select_for_update().get(user_id=user_id)
    is_renamed = seller.username != username
    seller.username = username
    if display_name is not None:
        seller.display_name = display_name
    seller.updated_at = now
    seller.save(update_fields=["username", "display_name", "updated_at"])
    if is_renamed:
        listings = (
            Listing.objects.select_for_update()
            .filter(seller_id=user_id)
            .exclude(status=ListingStatus.DRAFT)
            .order_by("id")
        )
        for listing in listings:
            listing_record_change(listing, fields=[], now=now)
            events.listing_updated_publish(listing)
    return seller


@transaction.atomic
def seller_suspension_set(*, user_id: uuid.UUID, is_suspended: bool, at: datetime) -> bool:
    """``user.suspended`` / ``user.reinstated``: whether the member may publish. Kept only when
    ``at`` is newer than the last one applied (a late older event changes nothing); a member not yet
    known gets a copy with an empty username, which ``user.registered`` fills. Locks the seller row.
    True when applied. A suspended seller's published listings stay as they are (staff take down
    what must go)."""
    Seller.objects.get_or_create(user_id=user_id, defaults={"username": ""})
    seller = Seller.objects.select_for_update().get(user_id=user_id)
    if seller.suspension_at is not None and at <= seller.suspension_at:
        return False
    seller.is_suspended, seller.suspension_at = is_suspended, at
    seller.save(update_fields=["is_suspended", "suspension_at"])
    return True
