"""Writes for listing-service: `<entity>_<action>` functions, keyword-only and `@transaction.atomic`.

Each one documents its invariants, the rows it locks and the events it emits (through the outbox, in
its transaction). The seed data and the photos app call these too; their names and keyword-only
signatures are stable:

- ``listing_create_draft(*, seller_id, fields) -> Listing``
- ``listing_update(*, listing_id, seller_id, changes) -> Listing``
- ``listing_publish(*, listing_id, seller_id, now=None) -> Listing``
- ``listing_end_early``, ``listing_cancel``, ``listing_withdraw``, ``listing_photos_changed``,
  ``listings_start_due``, ``listings_end_due``, ``listing_watch``, ``listing_unwatch``, ``seller_upsert``
- auction-service's news: ``auction_bid_apply``, ``auction_extend_apply``, ``auction_end_apply``,
  ``listings_ending_soon_publish``; user-service's: ``seller_suspension_set``
"""

from listing_service.listings.services.auctions import (
    auction_bid_apply,
    auction_end_apply,
    auction_extend_apply,
    listings_ending_soon_publish,
)
from listing_service.listings.services.drafts import (
    listing_create_draft,
    listing_photos_changed,
    listing_update,
)
from listing_service.listings.services.lifecycle import (
    listing_cancel,
    listing_end_early,
    listing_publish,
    listing_withdraw,
    listings_end_due,
    listings_start_due,
)
from listing_service.listings.services.sellers import seller_suspension_set, seller_upsert
from listing_service.listings.services.watches import listing_unwatch, listing_watch

__all__ = [
    "auction_bid_apply",
    "auction_end_apply",
    "auction_extend_apply",
    "listing_cancel",
    "listing_create_draft",
    "listing_end_early",
    "listing_photos_changed",
    "listing_publish",
    "listing_unwatch",
    "listing_update",
    "listing_watch",
    "listing_withdraw",
    "listings_end_due",
    "listings_ending_soon_publish",
    "listings_start_due",
    "seller_suspension_set",
    "seller_upsert",
]
