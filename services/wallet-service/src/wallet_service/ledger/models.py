"""The ledger: accounts and immutable transfers in integer koinu (TigerBeetle's model).

Every rule that protects money is a database rule, so it holds even if Python is wrong:

* the four balance counters of an account are never negative (CHECK);
* a user wallet (flag ``debits_must_not_exceed_credits``) can never be overdrawn:
  ``debits_posted + debits_pending <= credits_posted`` (CHECK);
* a transfer moves a positive amount between two different accounts (CHECK);
* a pending transfer is resolved (posted or voided) at most once (partial UNIQUE index on
  ``pending_id``);
* transfers are append-only: a trigger (migration 0002) raises on any UPDATE or DELETE of
  ``ledger_transfer``.

Balances change only through the statements in :mod:`wallet_service.ledger.services`, which update
the counters in the same statement that inserts the transfer. Nothing in this module writes.
``docs/wallet-architecture.md`` ("The ledger") is the auditor's description of all of it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Now

# Namespace of every id the ledger derives (platform accounts, user wallets, expiry voids, onward
# transfers). Fixed forever: changing it would change the ids of existing accounts.
LEDGER_NAMESPACE = uuid.UUID("1c0349ea-82ba-4043-a960-aa164757696c")


class Account(models.Model):
    """An account with its four balance counters (TigerBeetle's ``debits_posted``... in koinu).

    ``available = credits_posted - debits_posted - debits_pending`` and ``held = debits_pending``
    (see :class:`wallet_service.ledger.selectors.Balance`). Platform accounts may have a negative
    net balance (custody is debited for every deposit); user wallets may not.
    """

    class Kind(models.TextChoices):
        USER_WALLET = "user_wallet"
        PLATFORM = "platform"

    id: models.UUIDField[uuid.UUID, uuid.UUID] = models.UUIDField(primary_key=True)
    kind: models.CharField[str, str] = models.CharField(max_length=16, choices=Kind.choices)
    # The chart-of-accounts code: the platform account's name ("custody", ...) or "user_wallet".
    code: models.CharField[str, str] = models.CharField(max_length=32)
    user_id: models.UUIDField[uuid.UUID | None, uuid.UUID | None] = models.UUIDField(null=True)
    # Flags. A wallet's "must not go below zero" is a flag backed by a CHECK constraint.
    debits_must_not_exceed_credits: models.BooleanField[bool, bool] = models.BooleanField(default=False)
    is_frozen: models.BooleanField[bool, bool] = models.BooleanField(default=False)
    frozen_reason: models.CharField[str, str] = models.CharField(max_length=200, blank=True, default="")
    debits_posted: models.BigIntegerField[int, int] = models.BigIntegerField(default=0)
    credits_posted: models.BigIntegerField[int, int] = models.BigIntegerField(default=0)
    debits_pending: models.BigIntegerField[int, int] = models.BigIntegerField(default=0)
    credits_pending: models.BigIntegerField[int, int] = models.BigIntegerField(default=0)
    created_at: models.DateTimeField[datetime, datetime] = models.DateTimeField(db_default=Now())

    class Meta:
        db_table = "ledger_account"
        constraints = [
            models.CheckConstraint(
                condition=Q(debits_posted__gte=0), name="ledger_account_debits_posted_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(credits_posted__gte=0), name="ledger_account_credits_posted_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(debits_pending__gte=0), name="ledger_account_debits_pending_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(credits_pending__gte=0), name="ledger_account_credits_pending_gte_0"
            ),
            # The no-overdraft rule itself: the database refuses a wallet below zero.
            models.CheckConstraint(
                condition=Q(debits_must_not_exceed_credits=False)
                | Q(debits_posted__lte=F("credits_posted") - F("debits_pending")),
                name="ledger_account_debits_must_not_exceed_credits",
            ),
            # A user wallet belongs to a user and always carries the no-overdraft flag; a platform
            # account belongs to nobody.
            models.CheckConstraint(
                condition=(
                    Q(kind="user_wallet", code="user_wallet", user_id__isnull=False)
                    & Q(debits_must_not_exceed_credits=True)
                )
                | Q(kind="platform", user_id__isnull=True),
                name="ledger_account_kind_matches_owner",
            ),
            models.UniqueConstraint(fields=["user_id"], name="ledger_account_one_wallet_per_user"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(kind="platform"), name="ledger_account_platform_code_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}:{self.user_id}" if self.user_id else self.code


class Transfer(models.Model):
    """One movement of ``amount_koinu`` from ``debit_account`` to ``credit_account``. Never changes.

    Kinds (TigerBeetle's two-phase transfers):

    * ``single``: posted at once (debits_posted / credits_posted);
    * ``pending``: reserves the amount (debits_pending / credits_pending), optionally until
      ``timeout_at``;
    * ``post_pending``: names a pending transfer (``pending``) and posts ``amount_koinu`` of it
      (at most the pending amount; the rest is released);
    * ``void_pending``: names a pending transfer and releases all of it (its ``amount_koinu`` is
      the pending amount).

    A pending transfer's state is derived, never stored: it is open until a post or void naming it
    exists (at most one can, by the partial UNIQUE index on ``pending_id``).
    """

    class Kind(models.TextChoices):
        SINGLE = "single"
        PENDING = "pending"
        POST_PENDING = "post_pending"
        VOID_PENDING = "void_pending"

    # Chosen by the caller: the idempotency key of the transfer.
    id: models.UUIDField[uuid.UUID, uuid.UUID] = models.UUIDField(primary_key=True)
    debit_account: models.ForeignKey[Account, Account] = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    credit_account: models.ForeignKey[Account, Account] = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    amount_koinu: models.BigIntegerField[int, int] = models.BigIntegerField()
    kind: models.CharField[str, str] = models.CharField(max_length=16, choices=Kind.choices)
    pending: models.ForeignKey[Transfer | None, Transfer | None] = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, related_name="+", db_index=False
    )
    timeout_at: models.DateTimeField[datetime | None, datetime | None] = models.DateTimeField(null=True)
    # A short code saying why the money moved: deposit, withdrawal, bid_hold, order_escrow, fee, ...
    reason: models.CharField[str, str] = models.CharField(max_length=32)
    # What it is about: {"txid": ..., "vout": ...}, {"auction_id": ...}, {"order_id": ...}, ...
    reference: models.JSONField[Any, Any] = models.JSONField(default=dict)
    # Transfers applied together, all or none; the id of the group's first transfer.
    linked_group: models.UUIDField[uuid.UUID | None, uuid.UUID | None] = models.UUIDField(null=True)
    # Set on a correcting transfer: the transfer it (partly) reverses.
    corrects: models.ForeignKey[Transfer | None, Transfer | None] = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, related_name="+", db_index=False
    )
    created_at: models.DateTimeField[datetime, datetime] = models.DateTimeField(db_default=Now())

    # The foreign keys' columns, which Django adds as attributes (declared for the type checker).
    debit_account_id: uuid.UUID
    credit_account_id: uuid.UUID
    pending_id: uuid.UUID | None
    corrects_id: uuid.UUID | None

    class Meta:
        db_table = "ledger_transfer"
        constraints = [
            models.CheckConstraint(condition=Q(amount_koinu__gt=0), name="ledger_transfer_amount_gt_0"),
            models.CheckConstraint(
                condition=~Q(debit_account=F("credit_account")), name="ledger_transfer_accounts_differ"
            ),
            # Exactly the post and void transfers name a pending transfer, and only pending
            # transfers carry a timeout.
            models.CheckConstraint(
                condition=(Q(kind__in=["post_pending", "void_pending"]) & Q(pending__isnull=False))
                | (Q(kind__in=["single", "pending"]) & Q(pending__isnull=True)),
                name="ledger_transfer_pending_iff_resolution",
            ),
            models.CheckConstraint(
                condition=Q(timeout_at__isnull=True) | Q(kind="pending"),
                name="ledger_transfer_timeout_only_pending",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["single", "pending", "post_pending", "void_pending"]),
                name="ledger_transfer_kind_valid",
            ),
            # A pending transfer is posted or voided at most once.
            models.UniqueConstraint(
                fields=["pending"],
                condition=Q(pending__isnull=False),
                name="ledger_transfer_resolved_once",
            ),
        ]
        indexes = [
            # A user's history (transfers_for_user), newest first, on either side.
            models.Index(fields=["debit_account", "-created_at", "-id"], name="ledger_transfer_debit_idx"),
            models.Index(fields=["credit_account", "-created_at", "-id"], name="ledger_transfer_credit_idx"),
            # The expiry sweep's candidates.
            models.Index(
                fields=["timeout_at"],
                condition=Q(kind="pending", timeout_at__isnull=False),
                name="ledger_transfer_timeout_idx",
            ),
            models.Index(
                fields=["corrects"], condition=Q(corrects__isnull=False), name="ledger_transfer_corrects_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.id}: {self.amount_koinu} koinu ({self.reason})"
