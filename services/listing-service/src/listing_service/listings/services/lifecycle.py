"""A listing's life after the draft: publish, the scheduled start, the end (on time or early),
cancel, and staff takedown. docs/listing-rules.md says the rules in words."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from dbay_common.errors import Conflict, InvalidRequest, PermissionDenied
from listing_service.listings import events, policy
from listing_service.listings.models import (
    WITHDRAWN_REASON_MAX_LENGTH,
    Listing,
    ListingEndReason,
    ListingFormat,
    ListingStatus,
    Seller,
)
from listing_service.listings.services.common import (
    category_check,
    listing_lock,
    listing_lock_for_seller,
    listing_not_found,
    listing_record_change,
)

JOB_BATCH_SIZE = 200


@transaction.atomic
def listing_publish(*, listing_id: uuid.UUID, seller_id: uuid.UUID, now: datetime | None = None) -> Listing:
    """Publish the seller's draft: ``active`` now, or ``scheduled`` until its scheduled start.

    The draft must be complete (400 ``listing_incomplete`` naming the first missing field) and its
    prices and times must follow the rules (``policy``); only a draft can be published (409
    ``listing_not_draft``, also for the loser of two concurrent publishes). Sets ``starts_at``,
    ``ends_at`` (start + duration, or the end time; none for fixed price without either) and
    ``published_at``. A suspended member cannot publish (403 ``account_suspended``, from the copy of
    ``user.suspended``). Locks the listing row; emits ``listing.published``.
    """
    now = now or timezone.now()
    listing = listing_lock_for_seller(listing_id=listing_id, seller_id=seller_id)
    if listing.status != ListingStatus.DRAFT:
        raise Conflict("Only a draft can be published.", code="listing_not_draft")
    if Seller.objects.filter(user_id=seller_id, is_suspended=True).exists():
        raise PermissionDenied(
            "Your account is suspended, so you cannot publish listings. Contact support to find out more.",
            code="account_suspended",
        )
    missing = policy.listing_missing_for_publish(listing)
    if missing:
        raise policy.listing_incomplete_error(missing, format=listing.format)
    assert listing.category_id is not None
    category_check(listing.category_id)
    policy.listing_prices_check(
        format=listing.format,
        start_price_koinu=listing.start_price_koinu,
        reserve_price_koinu=listing.reserve_price_koinu,
        buy_it_now_koinu=listing.buy_it_now_koinu,
        price_koinu=listing.price_koinu,
        quantity=listing.quantity,
    )
    times = policy.listing_times_plan(
        format=listing.format,
        duration_days=listing.duration_days,
        requested_ends_at=listing.requested_ends_at,
        scheduled_start_at=listing.scheduled_start_at,
        now=now,
    )
    listing.status = ListingStatus.SCHEDULED if times.is_scheduled else ListingStatus.ACTIVE
    listing.starts_at, listing.ends_at, listing.published_at = times.starts_at, times.ends_at, now
    listing_record_change(listing, fields=["status", "starts_at", "ends_at", "published_at"], now=now)
    events.listing_published_publish(listing)
    return listing


@transaction.atomic
def listing_end_early(*, listing_id: uuid.UUID, seller_id: uuid.UUID, now: datetime | None = None) -> Listing:
    """The seller ends an active listing now. Not an auction with bids (409 ``auction_has_bids``);
    only an active listing (409 ``listing_not_active``; a scheduled one is cancelled instead).
    Locks the listing row; emits ``listing.ended`` with reason ``ended_by_seller``."""
    now = now or timezone.now()
    listing = listing_lock_for_seller(listing_id=listing_id, seller_id=seller_id)
    if listing.status != ListingStatus.ACTIVE:
        raise Conflict("Only an active listing can be ended.", code="listing_not_active")
    if listing.bid_count > 0:
        raise Conflict("An auction with bids cannot be ended early.", code="auction_has_bids")
    _end(listing, reason=ListingEndReason.ENDED_BY_SELLER, now=now)
    if listing.starts_at is not None and now > listing.starts_at:
        listing.ends_at = now  # the listing's time now says when it really ended
    listing_record_change(listing, fields=["status", "end_reason", "ended_at", "ends_at"], now=now)
    events.listing_ended_publish(listing, reason="ended_by_seller")
    return listing


def _end(listing: Listing, *, reason: str, now: datetime) -> None:
    listing.status = ListingStatus.ENDED
    listing.end_reason = reason
    listing.ended_at = now


@transaction.atomic
def listing_cancel(*, listing_id: uuid.UUID, seller_id: uuid.UUID) -> Listing:
    """The seller cancels a draft or a scheduled listing (409 ``listing_not_cancellable`` otherwise:
    an active listing is ended instead). Locks the listing row; emits ``listing.updated`` (status
    ``cancelled``, which search removes)."""
    listing = listing_lock_for_seller(listing_id=listing_id, seller_id=seller_id)
    if listing.status not in (ListingStatus.DRAFT, ListingStatus.SCHEDULED):
        raise Conflict(
            "Only a draft or a scheduled listing can be cancelled.", code="listing_not_cancellable"
        )
    listing.status = ListingStatus.CANCELLED
    listing_record_change(listing, fields=["status"])
    events.listing_updated_publish(listing)
    return listing


WITHDRAWABLE = (ListingStatus.SCHEDULED, ListingStatus.ACTIVE, ListingStatus.ENDED, ListingStatus.SOLD)


@transaction.atomic
def listing_withdraw(
    *, listing_id: uuid.UUID, staff_id: uuid.UUID, reason: str, now: datetime | None = None
) -> Listing:
    """Staff take a published listing down (scheduled, active, ended or sold; 409
    ``listing_not_withdrawable`` for one already withdrawn or cancelled; drafts are not public: 404).
    ``reason`` (1-1000 characters) is shown to the seller on their listing. Locks the listing row;
    emits ``listing.withdrawn`` (reason, withdrawn_by ``staff``)."""
    text = " ".join(reason.split()) if isinstance(reason, str) else ""
    if not text or len(text) > WITHDRAWN_REASON_MAX_LENGTH:
        raise InvalidRequest(
            f"Say why the listing is taken down (1 to {WITHDRAWN_REASON_MAX_LENGTH} characters).",
            code="invalid_field",
            param="reason",
        )
    now = now or timezone.now()
    listing = listing_lock(listing_id)
    if listing.status == ListingStatus.DRAFT:
        raise listing_not_found()
    if listing.status not in WITHDRAWABLE:
        raise Conflict(
            f"A listing that is {listing.status} cannot be taken down.", code="listing_not_withdrawable"
        )
    listing.status = ListingStatus.WITHDRAWN
    listing.withdrawn_reason, listing.withdrawn_by, listing.withdrawn_at = text, staff_id, now
    listing_record_change(
        listing, fields=["status", "withdrawn_reason", "withdrawn_by", "withdrawn_at"], now=now
    )
    events.listing_withdrawn_publish(listing, reason=text)
    return listing


def listings_start_due(*, now: datetime | None = None, batch_size: int = JOB_BATCH_SIZE) -> int:
    """Start every scheduled listing whose start time has come (the periodic job).

    Works in batches, each its own transaction: ``SELECT ... FOR UPDATE SKIP LOCKED`` so two runs at
    once split the work and never start a listing twice, and a listing a seller is editing right now
    is taken by the next run. Each started listing: ``active``, ``version`` + 1, ``listing.updated``.
    Returns how many started.
    """
    return _run_due(status=ListingStatus.SCHEDULED, time_field="starts_at", now=now, batch_size=batch_size)


def listings_end_due(*, now: datetime | None = None, batch_size: int = JOB_BATCH_SIZE) -> int:
    """End every active fixed-price listing whose end time has passed (the periodic job; batches as
    ``listings_start_due``). Each: ``ended``, reason ``duration_elapsed``, ``listing.ended``.
    Auctions are not ended by the clock here: auction-service closes them (``services.auctions``)."""
    return _run_due(
        status=ListingStatus.ACTIVE,
        time_field="ends_at",
        now=now,
        batch_size=batch_size,
        format=ListingFormat.FIXED_PRICE,
    )


def _run_due(
    *, status: str, time_field: str, now: datetime | None, batch_size: int, format: str | None = None
) -> int:
    done = 0
    only = {"format": format} if format is not None else {}
    while True:
        moment = now or timezone.now()
        with transaction.atomic():
            batch = list(
                Listing.objects.select_for_update(skip_locked=True)
                .filter(status=status, **only, **{f"{time_field}__lte": moment})
                .order_by(time_field, "id")[:batch_size]
            )
            for listing in batch:
                if status == ListingStatus.SCHEDULED:
                    listing.status = ListingStatus.ACTIVE
                    listing_record_change(listing, fields=["status"], now=moment)
                    events.listing_updated_publish(listing)
                else:
                    _end(listing, reason=ListingEndReason.DURATION_ELAPSED, now=moment)
                    listing_record_change(listing, fields=["status", "end_reason", "ended_at"], now=moment)
                    events.listing_ended_publish(listing, reason="duration_elapsed")
        done += len(batch)
        if len(batch) < batch_size:
            return done
