"""Listings: the category tree, listings, the sellers' names copied from user-service, watches.

No logic lives here (see services.py); models declare data and the constraints that keep it right
whatever the code does: a listing past draft is complete, prices respect each other (reserve and Buy
It Now at least the start price, Buy It Now at least the reserve), counters never go negative, a
withdrawn listing always carries the reason its seller is shown, a user watches a listing once.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone

TITLE_MAX_LENGTH = 80
DESCRIPTION_MAX_LENGTH = 5000
WITHDRAWN_REASON_MAX_LENGTH = 1000
DURATION_DAYS = (1, 3, 5, 7, 10)


class Category(models.Model):
    """A node of the category tree. ``id`` is a stable slug path (``cameras-photo.digital-cameras``).

    Listings go in leaf categories only. ``suggested_specifics`` are the item-specific names the sell
    form offers for this category (a seller may add others).
    """

    id: models.CharField = models.CharField(primary_key=True, max_length=120)
    parent_id: str | None
    parent: models.ForeignKey = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    name: models.CharField = models.CharField(max_length=80)
    position: models.PositiveSmallIntegerField = models.PositiveSmallIntegerField(default=0)
    suggested_specifics: models.JSONField = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ("position", "id")
        constraints = [
            models.CheckConstraint(
                condition=Q(id__regex=r"^[a-z0-9-]+(\.[a-z0-9-]+)*$"), name="category_id_slug"
            ),
            models.CheckConstraint(condition=~Q(id=F("parent")), name="category_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.id


class Seller(models.Model):
    """listing-service's copy of a member's public names, from ``user.registered`` and
    ``user.profile_updated``, and whether they are suspended."""

    user_id: models.UUIDField = models.UUIDField(primary_key=True)
    username: models.CharField = models.CharField(max_length=30)
    display_name: models.CharField = models.CharField(max_length=100, blank=True, default="")
    updated_at: models.DateTimeField = models.DateTimeField(default=timezone.now)
    # From ``user.suspended`` / ``user.reinstated``: a suspended member cannot publish. ``suspension_at``
    # is the time of the newest of those events applied (an older one arriving late changes nothing).
    is_suspended: models.BooleanField = models.BooleanField(default=False)
    suspension_at: models.DateTimeField = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.username


class ListingStatus(models.TextChoices):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    ACTIVE = "active"
    ENDED = "ended"
    SOLD = "sold"
    CANCELLED = "cancelled"
    WITHDRAWN = "withdrawn"


class ListingFormat(models.TextChoices):
    AUCTION = "auction"
    FIXED_PRICE = "fixed_price"


class ListingCondition(models.TextChoices):
    NEW = "new"
    LIKE_NEW = "like_new"
    VERY_GOOD = "very_good"
    GOOD = "good"
    ACCEPTABLE = "acceptable"
    FOR_PARTS = "for_parts"


class ListingEndReason(models.TextChoices):
    DURATION_ELAPSED = "duration_elapsed"
    ENDED_BY_SELLER = "ended_by_seller"
    SOLD_OUT = "sold_out"
    # An auction's end, decided by auction-service (``auction.closed`` / ``auction.ended_unsold``).
    SOLD = "sold"
    NO_BIDS = "no_bids"
    RESERVE_NOT_MET = "reserve_not_met"


class Listing(models.Model):
    """One item for sale, auction or fixed price.

    ``version`` starts at 1 and grows by one on every change of the row (under its row lock); events
    carry it so consumers keep the newest. Auctions price with ``start_price_koinu`` (plus optional
    hidden ``reserve_price_koinu`` and ``buy_it_now_koinu``); fixed price with ``price_koinu`` and
    ``quantity`` (``quantity_sold`` of them sold). The seller picks ``duration_days`` or an exact
    ``requested_ends_at`` (required for auctions, optional for fixed price) and optionally a
    ``scheduled_start_at``; ``starts_at`` / ``ends_at`` are set when the listing is published.
    An auction's ``bid_count``, ``current_price_koinu`` (null before the first bid), ``reserve_met``
    (null without a reserve or before the first bid), ``ends_at`` (extensions) and its end follow
    auction-service's events; ``auction_seq`` is the ``seq`` of the newest ``bid.placed`` applied.
    ``ending_soon_at`` is when ``listing.ending_soon`` went out (once per listing).
    ``watch_count`` and ``view_count`` are counters.
    """

    Status = ListingStatus
    Format = ListingFormat
    Condition = ListingCondition
    EndReason = ListingEndReason

    id: models.UUIDField = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    seller_id: models.UUIDField = models.UUIDField()
    status: models.CharField = models.CharField(
        max_length=16, choices=ListingStatus.choices, default=ListingStatus.DRAFT
    )
    version: models.PositiveIntegerField = models.PositiveIntegerField(default=1)

    title: models.CharField = models.CharField(max_length=TITLE_MAX_LENGTH, blank=True, default="")
    description: models.TextField = models.TextField(blank=True, default="")
    category_id: str | None
    category: models.ForeignKey = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    condition: models.CharField = models.CharField(
        max_length=16, choices=ListingCondition.choices, blank=True, default=""
    )
    # [{"name": str, "value": str}, ...]
    item_specifics: models.JSONField = models.JSONField(default=list, blank=True)

    format: models.CharField = models.CharField(
        max_length=16, choices=ListingFormat.choices, default=ListingFormat.AUCTION
    )
    start_price_koinu: models.BigIntegerField = models.BigIntegerField(null=True, blank=True)
    reserve_price_koinu: models.BigIntegerField = models.BigIntegerField(null=True, blank=True)
    buy_it_now_koinu: models.BigIntegerField = models.BigIntegerField(null=True, blank=True)
    price_koinu: models.BigIntegerField = models.BigIntegerField(null=True, blank=True)
    quantity: models.PositiveIntegerField = models.PositiveIntegerField(default=1)
    quantity_sold: models.PositiveIntegerField = models.PositiveIntegerField(default=0)

    duration_days: models.PositiveSmallIntegerField = models.PositiveSmallIntegerField(null=True, blank=True)
    requested_ends_at: models.DateTimeField = models.DateTimeField(null=True, blank=True)
    scheduled_start_at: models.DateTimeField = models.DateTimeField(null=True, blank=True)

    # [{"service": str, "price_koinu": int, "ships_to": [alpha-2 | "WORLDWIDE", ...]}, ...]
    shipping_options: models.JSONField = models.JSONField(default=list, blank=True)
    local_pickup: models.BooleanField = models.BooleanField(default=False)
    location_country: models.CharField = models.CharField(max_length=2, blank=True, default="")
    location_postal_code: models.CharField = models.CharField(max_length=16, blank=True, default="")
    location_city: models.CharField = models.CharField(max_length=80, blank=True, default="")

    bid_count: models.PositiveIntegerField = models.PositiveIntegerField(default=0)
    current_price_koinu: models.BigIntegerField = models.BigIntegerField(null=True, blank=True)
    reserve_met: models.BooleanField = models.BooleanField(null=True, blank=True)
    auction_seq: models.PositiveBigIntegerField = models.PositiveBigIntegerField(default=0)
    ending_soon_at: models.DateTimeField = models.DateTimeField(null=True, blank=True)
    watch_count: models.PositiveIntegerField = models.PositiveIntegerField(default=0)
    view_count: models.PositiveBigIntegerField = models.PositiveBigIntegerField(default=0)

    starts_at: models.DateTimeField = models.DateTimeField(null=True, blank=True)
    ends_at: models.DateTimeField = models.DateTimeField(null=True, blank=True)
    published_at: models.DateTimeField = models.DateTimeField(null=True, blank=True)
    ended_at: models.DateTimeField = models.DateTimeField(null=True, blank=True)
    end_reason: models.CharField = models.CharField(
        max_length=20, choices=ListingEndReason.choices, blank=True, default=""
    )
    withdrawn_reason: models.TextField = models.TextField(blank=True, default="")
    withdrawn_by: models.UUIDField = models.UUIDField(null=True, blank=True)
    withdrawn_at: models.DateTimeField = models.DateTimeField(null=True, blank=True)
    created_at: models.DateTimeField = models.DateTimeField(default=timezone.now)
    updated_at: models.DateTimeField = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ListingStatus.values), name="listing_status_valid"),
            models.CheckConstraint(condition=Q(format__in=ListingFormat.values), name="listing_format_valid"),
            models.CheckConstraint(
                condition=Q(condition="") | Q(condition__in=ListingCondition.values),
                name="listing_condition_valid",
            ),
            models.CheckConstraint(
                condition=Q(end_reason="") | Q(end_reason__in=ListingEndReason.values),
                name="listing_end_reason_valid",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="listing_version_positive"),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("description"), DESCRIPTION_MAX_LENGTH),
                name="listing_description_length",
            ),
            models.CheckConstraint(
                condition=Q(start_price_koinu__isnull=True) | Q(start_price_koinu__gt=0),
                name="listing_start_price_positive",
            ),
            models.CheckConstraint(
                condition=Q(price_koinu__isnull=True) | Q(price_koinu__gt=0), name="listing_price_positive"
            ),
            models.CheckConstraint(
                condition=Q(reserve_price_koinu__isnull=True)
                | Q(start_price_koinu__isnull=True)
                | Q(reserve_price_koinu__gte=F("start_price_koinu")),
                name="listing_reserve_at_least_start",
            ),
            models.CheckConstraint(
                condition=Q(buy_it_now_koinu__isnull=True)
                | Q(start_price_koinu__isnull=True)
                | Q(buy_it_now_koinu__gte=F("start_price_koinu")),
                name="listing_buy_it_now_at_least_start",
            ),
            models.CheckConstraint(
                condition=Q(buy_it_now_koinu__isnull=True)
                | Q(reserve_price_koinu__isnull=True)
                | Q(buy_it_now_koinu__gte=F("reserve_price_koinu")),
                name="listing_buy_it_now_at_least_reserve",
            ),
            # Auction-only and fixed-price-only fields stay empty on the other format.
            models.CheckConstraint(
                condition=Q(format="auction", price_koinu__isnull=True, quantity=1)
                | Q(
                    format="fixed_price",
                    start_price_koinu__isnull=True,
                    reserve_price_koinu__isnull=True,
                    buy_it_now_koinu__isnull=True,
                    bid_count=0,
                    current_price_koinu__isnull=True,
                ),
                name="listing_format_fields",
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=1) & Q(quantity_sold__lte=F("quantity")),
                name="listing_quantity_range",
            ),
            models.CheckConstraint(
                condition=Q(duration_days__isnull=True) | Q(duration_days__in=DURATION_DAYS),
                name="listing_duration_days_valid",
            ),
            models.CheckConstraint(
                condition=Q(duration_days__isnull=True) | Q(requested_ends_at__isnull=True),
                name="listing_duration_or_end_time",
            ),
            # Past draft, a listing is complete (a draft may be cancelled as it is).
            models.CheckConstraint(
                condition=Q(status="draft")
                | Q(status="cancelled", published_at__isnull=True)
                | (
                    ~Q(title="")
                    & Q(category__isnull=False)
                    & ~Q(condition="")
                    & ~Q(location_country="")
                    & Q(starts_at__isnull=False)
                    & Q(published_at__isnull=False)
                    & (
                        Q(format="auction", start_price_koinu__isnull=False)
                        | Q(format="fixed_price", price_koinu__isnull=False)
                    )
                ),
                name="listing_complete_past_draft",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(starts_at__isnull=True) | Q(ends_at__gt=F("starts_at")),
                name="listing_ends_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(status="withdrawn") | (~Q(withdrawn_reason="") & Q(withdrawn_at__isnull=False)),
                name="listing_withdrawn_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["ended", "sold"]) | (Q(ended_at__isnull=False) & ~Q(end_reason="")),
                name="listing_ended_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["seller_id", "status", "id"], name="listing_seller_status_idx"),
            models.Index(
                fields=["starts_at"], condition=Q(status="scheduled"), name="listing_scheduled_start_idx"
            ),
            models.Index(fields=["ends_at"], condition=Q(status="active"), name="listing_active_end_idx"),
            models.Index(fields=["id"], condition=~Q(status="draft"), name="listing_feed_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.id} {self.title}"

    @property
    def quantity_available(self) -> int:
        return self.quantity - self.quantity_sold


class Watch(models.Model):
    """A user watches a listing. One row per (user, listing); ``Listing.watch_count`` counts them."""

    id: models.BigAutoField = models.BigAutoField(primary_key=True)
    user_id: models.UUIDField = models.UUIDField()
    listing_id: uuid.UUID
    listing: models.ForeignKey = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="watches")
    created_at: models.DateTimeField = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user_id", "listing"], name="watch_user_listing_uniq")]
        indexes = [models.Index(fields=["user_id", "-id"], name="watch_user_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} watches {self.listing_id}"
