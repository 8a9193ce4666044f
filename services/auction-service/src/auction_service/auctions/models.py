"""Auctions, bids, the wallet holds behind them, members as this service knows them, seller blocks.

One row per auction (the hot row: every bid's decision locks it, `SELECT ... FOR UPDATE`), one row
per accepted bid, one row per wallet hold this service asked for (written *before* the wallet call,
so a crash between the call and the bid's commit leaves a row the sweep finds: docs/auctions.md,
"Crash safety").
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import models


class Member(models.Model):
    """A member as auction-service knows them from user-service's events (masked names, suspension)."""

    user_id: models.UUIDField[uuid.UUID, uuid.UUID] = models.UUIDField(primary_key=True)
    username: models.CharField[str, str] = models.CharField(max_length=64, default="")
    feedback_score: models.IntegerField[int | None, int | None] = models.IntegerField(null=True, blank=True)
    suspended: models.BooleanField[bool, bool] = models.BooleanField(default=False)
    retraction_count: models.IntegerField[int, int] = models.IntegerField(default=0)
    updated_at: models.DateTimeField[dt.datetime, dt.datetime] = models.DateTimeField(auto_now=True)


class Auction(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled"
        OPEN = "open"
        CLOSED = "closed"
        ENDED_UNSOLD = "ended_unsold"
        CANCELLED = "cancelled"

    listing_id: models.UUIDField[uuid.UUID, uuid.UUID] = models.UUIDField(primary_key=True)
    seller_id: models.UUIDField[uuid.UUID, uuid.UUID] = models.UUIDField()
    title: models.CharField[str, str] = models.CharField(max_length=200, default="")
    photo_url: models.CharField[str | None, str | None] = models.CharField(
        max_length=500, null=True, blank=True
    )
    status: models.CharField[str, str] = models.CharField(max_length=16, choices=Status.choices)
    start_price_koinu: models.BigIntegerField[int, int] = models.BigIntegerField()
    reserve_price_koinu: models.BigIntegerField[int | None, int | None] = models.BigIntegerField(
        null=True, blank=True
    )
    buy_it_now_koinu: models.BigIntegerField[int | None, int | None] = models.BigIntegerField(
        null=True, blank=True
    )
    starts_at: models.DateTimeField[dt.datetime, dt.datetime] = models.DateTimeField()
    ends_at: models.DateTimeField[dt.datetime, dt.datetime] = models.DateTimeField()
    original_ends_at: models.DateTimeField[dt.datetime, dt.datetime] = models.DateTimeField()
    soft_close_minutes: models.IntegerField[int, int] = models.IntegerField(default=2)
    current_price_koinu: models.BigIntegerField[int, int] = models.BigIntegerField()
    bid_count: models.IntegerField[int, int] = models.IntegerField(default=0)
    bidder_count: models.IntegerField[int, int] = models.IntegerField(default=0)
    leader_id: models.UUIDField[uuid.UUID | None, uuid.UUID | None] = models.UUIDField(null=True, blank=True)
    leader_max_koinu: models.BigIntegerField[int | None, int | None] = models.BigIntegerField(
        null=True, blank=True
    )
    leader_bid_id: models.UUIDField[uuid.UUID | None, uuid.UUID | None] = models.UUIDField(
        null=True, blank=True
    )
    leader_hold_id: models.UUIDField[uuid.UUID | None, uuid.UUID | None] = models.UUIDField(
        null=True, blank=True
    )
    second_max_koinu: models.BigIntegerField[int | None, int | None] = models.BigIntegerField(
        null=True, blank=True
    )
    seq: models.BigIntegerField[int, int] = models.BigIntegerField(default=0)
    listing_version: models.IntegerField[int, int] = models.IntegerField(default=0)
    winner_id: models.UUIDField[uuid.UUID | None, uuid.UUID | None] = models.UUIDField(null=True, blank=True)
    final_price_koinu: models.BigIntegerField[int | None, int | None] = models.BigIntegerField(
        null=True, blank=True
    )
    close_via: models.CharField[str, str] = models.CharField(max_length=16, default="")
    escrow_hold_id: models.UUIDField[uuid.UUID | None, uuid.UUID | None] = models.UUIDField(
        null=True, blank=True
    )
    escrow_pending: models.BooleanField[bool, bool] = models.BooleanField(default=False)
    closed_at: models.DateTimeField[dt.datetime | None, dt.datetime | None] = models.DateTimeField(
        null=True, blank=True
    )
    created_at: models.DateTimeField[dt.datetime, dt.datetime] = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            # The closer's poll: auctions still running, by end time (partial, so it stays small).
            models.Index(
                fields=["ends_at"],
                name="auction_due_idx",
                condition=models.Q(status__in=["open", "scheduled"]),
            ),
            models.Index(
                fields=["closed_at"], name="auction_escrow_idx", condition=models.Q(escrow_pending=True)
            ),
        ]


class Bid(models.Model):
    """An accepted maximum. ``amount_koinu`` is the price the auction showed right after it."""

    id: models.UUIDField[uuid.UUID, uuid.UUID] = models.UUIDField(primary_key=True, default=uuid.uuid4)
    auction_id: uuid.UUID
    auction: models.ForeignKey[Auction, Auction] = models.ForeignKey(
        Auction, on_delete=models.CASCADE, related_name="bids"
    )
    bidder_id: models.UUIDField[uuid.UUID, uuid.UUID] = models.UUIDField()
    max_amount_koinu: models.BigIntegerField[int, int] = models.BigIntegerField()
    amount_koinu: models.BigIntegerField[int, int] = models.BigIntegerField()
    hold_id: models.UUIDField[uuid.UUID, uuid.UUID] = models.UUIDField()
    placed_at: models.DateTimeField[dt.datetime, dt.datetime] = models.DateTimeField()
    seq: models.BigIntegerField[int, int] = models.BigIntegerField()
    retracted: models.BooleanField[bool, bool] = models.BooleanField(default=False)
    retracted_reason: models.CharField[str, str] = models.CharField(max_length=200, default="")

    class Meta:
        indexes = [
            models.Index(fields=["auction", "-seq"], name="bid_history_idx"),
            models.Index(fields=["bidder_id", "-placed_at"], name="bid_bidder_idx"),
            models.Index(fields=["auction", "bidder_id"], name="bid_auction_bidder_idx"),
        ]


class WalletHold(models.Model):
    """A wallet hold this service asked for, recorded before the call (write-ahead).

    ``placing`` until the bid that wanted it commits (then ``active``) or is refused / abandoned
    (then ``releasing``); ``releasing`` until the wallet confirms the void (``released``);
    ``escrowed`` once the winner's hold has become the sale's escrow. ``absent``: a void found no
    such hold at the wallet (its request died before the wallet call, or the call is still on its
    way); the auction's end voids it once more, so even a late-arriving hold never outlives it.
    """

    class State(models.TextChoices):
        PLACING = "placing"
        ACTIVE = "active"
        RELEASING = "releasing"
        RELEASED = "released"
        ESCROWED = "escrowed"
        ABSENT = "absent"

    hold_id: models.UUIDField[uuid.UUID, uuid.UUID] = models.UUIDField(primary_key=True)
    listing_id: models.UUIDField[uuid.UUID, uuid.UUID] = models.UUIDField()
    user_id: models.UUIDField[uuid.UUID, uuid.UUID] = models.UUIDField()
    amount_koinu: models.BigIntegerField[int, int] = models.BigIntegerField()
    reason: models.CharField[str, str] = models.CharField(max_length=16, default="bid_hold")
    replaces_hold_id: models.UUIDField[uuid.UUID | None, uuid.UUID | None] = models.UUIDField(
        null=True, blank=True
    )
    state: models.CharField[str, str] = models.CharField(max_length=16, choices=State.choices)
    escrow_amount_koinu: models.BigIntegerField[int | None, int | None] = models.BigIntegerField(
        null=True, blank=True
    )
    escrow_hold_id: models.UUIDField[uuid.UUID | None, uuid.UUID | None] = models.UUIDField(
        null=True, blank=True
    )
    attempts: models.IntegerField[int, int] = models.IntegerField(default=0)
    created_at: models.DateTimeField[dt.datetime, dt.datetime] = models.DateTimeField(auto_now_add=True)
    updated_at: models.DateTimeField[dt.datetime, dt.datetime] = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["updated_at"],
                name="hold_todo_idx",
                condition=models.Q(state__in=["placing", "releasing"]),
            ),
            models.Index(fields=["listing_id", "state"], name="hold_listing_idx"),
            models.Index(fields=["replaces_hold_id"], name="hold_replaces_idx"),
        ]


class BlockedBidder(models.Model):
    """A seller's block: the member may not bid on any of that seller's auctions from now on."""

    seller_id: models.UUIDField[uuid.UUID, uuid.UUID] = models.UUIDField()
    user_id: models.UUIDField[uuid.UUID, uuid.UUID] = models.UUIDField()
    created_at: models.DateTimeField[dt.datetime, dt.datetime] = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["seller_id", "user_id"], name="blocked_once")]
