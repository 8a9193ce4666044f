"""What the wallet knows about the chain: our addresses, the blocks it followed, deposits, our
unspent outputs, the transactions the signer built, and withdrawals.

Every invariant that matters for money is a database constraint (UNIQUE, CHECK), not only Python:
one current address per user, a deposit per (txid, vout), a withdrawal that is signed always names
its transaction, a credited deposit has been credited exactly once more than it was reversed.
Rows are changed only by the functions in services.py, follower.py and signer.py.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.db import models
from django.db.models import F, Q
from django.utils import timezone

# Sequences that allocate BIP44 address indexes (created by migration 0001). A sequence never hands
# out a value twice, even when the transaction that took it rolls back, so an index can never be
# given to two users; the UNIQUE constraint below is the second line of defence.
EXTERNAL_INDEX_SEQUENCE = "chain_external_address_index_seq"
INTERNAL_INDEX_SEQUENCE = "chain_internal_address_index_seq"


class WalletAddress(models.Model):
    """An address derived from the account xpub: a user's deposit address, or one of our change addresses."""

    id: int

    class Chain(models.IntegerChoices):
        EXTERNAL = 0, "external"  # m/44'/c'/0'/0/i: deposit addresses, one user each
        INTERNAL = 1, "internal"  # m/44'/c'/0'/1/i: change of our own transactions

    chain: models.SmallIntegerField[int, int] = models.SmallIntegerField(choices=Chain.choices)
    derivation_index: models.BigIntegerField[int, int] = models.BigIntegerField()
    address: models.CharField[str, str] = models.CharField(max_length=64, unique=True)
    pubkey_hash: models.CharField[str, str] = models.CharField(
        max_length=40, unique=True, help_text="HASH160 of the public key, hex"
    )
    user_id: models.UUIDField[uuid.UUID | None, uuid.UUID | None] = models.UUIDField(null=True, blank=True)
    is_current: models.BooleanField[bool, bool] = models.BooleanField(default=False)
    created_at: models.DateTimeField[datetime, datetime] = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["chain", "derivation_index"], name="chain_address_index_uniq"),
            models.UniqueConstraint(
                fields=["user_id"], condition=Q(is_current=True), name="chain_address_one_current_per_user"
            ),
            models.CheckConstraint(
                condition=Q(derivation_index__gte=0, derivation_index__lte=2**31 - 1),
                name="chain_address_index_range",
            ),
            models.CheckConstraint(
                condition=(Q(chain=0) & Q(user_id__isnull=False))
                | (Q(chain=1) & Q(user_id__isnull=True) & Q(is_current=False)),
                name="chain_address_owner",
            ),
        ]
        indexes = [models.Index(fields=["user_id", "-created_at"], name="chain_address_user_idx")]

    def __str__(self) -> str:
        return self.address


class ChainBlock(models.Model):
    """A block the follower processed. ``orphaned_at`` is set when a reorg undid it (kept for audit)."""

    id: int

    height: models.BigIntegerField[int, int] = models.BigIntegerField()
    hash: models.CharField[str, str] = models.CharField(max_length=64)
    prev_hash: models.CharField[str, str] = models.CharField(max_length=64)
    processed_at: models.DateTimeField[datetime, datetime] = models.DateTimeField(default=timezone.now)
    orphaned_at: models.DateTimeField[datetime | None, datetime | None] = models.DateTimeField(
        null=True, blank=True
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["height"], condition=Q(orphaned_at__isnull=True), name="chain_block_height_uniq"
            ),
            models.UniqueConstraint(
                fields=["hash"], condition=Q(orphaned_at__isnull=True), name="chain_block_hash_uniq"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.height} {self.hash}"


class Deposit(models.Model):
    """An output paying one of our addresses, not the change of our own transaction.

    States: ``pending`` (seen in the mempool), ``confirming`` (in a block we processed, not enough
    confirmations yet), ``credited`` (custody → owner transfer made), ``dropped`` (left the mempool
    without being mined, or its block was undone and the node no longer has it). A reorg moves a
    deposit back to ``pending``; a credited one is reversed first.
    """

    class Status(models.TextChoices):
        PENDING = "pending"
        CONFIRMING = "confirming"
        CREDITED = "credited"
        DROPPED = "dropped"

    id: models.UUIDField[uuid.UUID, uuid.UUID] = models.UUIDField(
        primary_key=True, default=uuid.uuid4, editable=False
    )
    txid: models.CharField[str, str] = models.CharField(max_length=64)
    vout: models.IntegerField[int, int] = models.IntegerField()
    address: models.ForeignKey[WalletAddress, WalletAddress] = models.ForeignKey(
        WalletAddress, on_delete=models.PROTECT, related_name="deposits"
    )
    address_id: int
    # The owner; null for an unattributed receipt (a payment to one of our change addresses), which is
    # credited to the suspense account for a human to sort out.
    user_id: models.UUIDField[uuid.UUID | None, uuid.UUID | None] = models.UUIDField(null=True, blank=True)
    amount_koinu: models.BigIntegerField[int, int] = models.BigIntegerField()
    status: models.CharField[str, str] = models.CharField(max_length=16, choices=Status.choices)
    block_height: models.BigIntegerField[int | None, int | None] = models.BigIntegerField(
        null=True, blank=True
    )
    block_hash: models.CharField[str | None, str | None] = models.CharField(
        max_length=64, null=True, blank=True
    )
    times_credited: models.IntegerField[int, int] = models.IntegerField(default=0)
    times_reversed: models.IntegerField[int, int] = models.IntegerField(default=0)
    shortfall_koinu: models.BigIntegerField[int, int] = models.BigIntegerField(
        default=0, help_text="total moved to suspense by reversals"
    )
    first_seen_at: models.DateTimeField[datetime, datetime] = models.DateTimeField(default=timezone.now)
    credited_at: models.DateTimeField[datetime | None, datetime | None] = models.DateTimeField(
        null=True, blank=True
    )
    reversed_at: models.DateTimeField[datetime | None, datetime | None] = models.DateTimeField(
        null=True, blank=True
    )
    updated_at: models.DateTimeField[datetime, datetime] = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["txid", "vout"], name="chain_deposit_outpoint_uniq"),
            models.CheckConstraint(condition=Q(amount_koinu__gt=0), name="chain_deposit_amount_positive"),
            models.CheckConstraint(condition=Q(vout__gte=0), name="chain_deposit_vout_nonneg"),
            models.CheckConstraint(
                condition=(
                    Q(
                        status__in=["confirming", "credited"],
                        block_height__isnull=False,
                        block_hash__isnull=False,
                    )
                    | Q(status__in=["pending", "dropped"], block_height__isnull=True, block_hash__isnull=True)
                ),
                name="chain_deposit_block_matches_status",
            ),
            # Credited exactly once more than reversed while credited, as often as reversed otherwise.
            models.CheckConstraint(
                condition=(
                    Q(status="credited", times_credited=F("times_reversed") + 1)
                    | (~Q(status="credited") & Q(times_credited=F("times_reversed")))
                ),
                name="chain_deposit_credit_balance",
            ),
            models.CheckConstraint(
                condition=Q(shortfall_koinu__gte=0), name="chain_deposit_shortfall_nonneg"
            ),
        ]
        indexes = [
            models.Index(fields=["user_id", "-first_seen_at"], name="chain_deposit_user_idx"),
            models.Index(fields=["status"], name="chain_deposit_status_idx"),
            models.Index(fields=["block_hash"], name="chain_deposit_block_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.txid}:{self.vout} {self.amount_koinu} {self.status}"


class ChainTransaction(models.Model):
    """A transaction the signer built and signed, stored before it was ever broadcast.

    ``signed`` → ``broadcast`` (the node accepted it, or already had it) → ``confirmed`` (it has the
    required confirmations; its withdrawals are posted) or ``failed`` (the node rejected it for good
    and it is in no block; its withdrawals are voided). ``raw_hex`` is what every (re)broadcast sends:
    the signer never builds a second transaction for a withdrawal that has one.
    """

    class State(models.TextChoices):
        SIGNED = "signed"
        BROADCAST = "broadcast"
        CONFIRMED = "confirmed"
        FAILED = "failed"

    id: models.UUIDField[uuid.UUID, uuid.UUID] = models.UUIDField(
        primary_key=True, default=uuid.uuid4, editable=False
    )
    txid: models.CharField[str, str] = models.CharField(max_length=64, unique=True)
    raw_hex: models.TextField[str, str] = models.TextField()
    size_bytes: models.IntegerField[int, int] = models.IntegerField()
    fee_koinu: models.BigIntegerField[int, int] = models.BigIntegerField()
    state: models.CharField[str, str] = models.CharField(
        max_length=16, choices=State.choices, default=State.SIGNED
    )
    change_vout: models.IntegerField[int | None, int | None] = models.IntegerField(null=True, blank=True)
    change_amount_koinu: models.BigIntegerField[int, int] = models.BigIntegerField(default=0)
    block_height: models.BigIntegerField[int | None, int | None] = models.BigIntegerField(
        null=True, blank=True
    )
    block_hash: models.CharField[str | None, str | None] = models.CharField(
        max_length=64, null=True, blank=True
    )
    broadcast_attempts: models.IntegerField[int, int] = models.IntegerField(default=0)
    last_broadcast_at: models.DateTimeField[datetime | None, datetime | None] = models.DateTimeField(
        null=True, blank=True
    )
    last_broadcast_error: models.TextField[str, str] = models.TextField(blank=True, default="")
    created_at: models.DateTimeField[datetime, datetime] = models.DateTimeField(default=timezone.now)
    confirmed_at: models.DateTimeField[datetime | None, datetime | None] = models.DateTimeField(
        null=True, blank=True
    )
    # When its withdrawals were first posted in the ledger. Kept if a reorg takes the transaction out
    # of the best chain again (state back to broadcast): the ledger never un-books a payment sent.
    settled_at: models.DateTimeField[datetime | None, datetime | None] = models.DateTimeField(
        null=True, blank=True
    )
    failed_at: models.DateTimeField[datetime | None, datetime | None] = models.DateTimeField(
        null=True, blank=True
    )
    failure_reason: models.TextField[str, str] = models.TextField(blank=True, default="")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(fee_koinu__gte=0), name="chain_tx_fee_nonneg"),
            models.CheckConstraint(
                condition=~Q(state="confirmed") | Q(settled_at__isnull=False),
                name="chain_tx_confirmed_is_settled",
            ),
            models.CheckConstraint(
                condition=Q(block_height__isnull=True, block_hash__isnull=True)
                | Q(block_height__isnull=False, block_hash__isnull=False),
                name="chain_tx_block_pair",
            ),
            models.CheckConstraint(
                condition=~Q(state="confirmed") | Q(block_height__isnull=False),
                name="chain_tx_confirmed_in_block",
            ),
        ]
        indexes = [models.Index(fields=["state"], name="chain_tx_state_idx")]

    def __str__(self) -> str:
        return f"{self.txid} {self.state}"


class Utxo(models.Model):
    """An output of ours the signer may spend: a credited deposit, or the change of our own transaction.

    ``is_spendable`` is set when the deposit is credited (or our transaction confirmed) and cleared if
    a reorg takes that back. ``reserved_by`` is the signed transaction that spends it (set in the same
    database transaction that stores the signed transaction). ``spent_txid`` is what the follower saw
    spending it on chain.
    """

    class Source(models.TextChoices):
        DEPOSIT = "deposit"
        CHANGE = "change"

    txid: models.CharField[str, str] = models.CharField(max_length=64)
    vout: models.IntegerField[int, int] = models.IntegerField()
    id: int
    address: models.ForeignKey[WalletAddress, WalletAddress] = models.ForeignKey(
        WalletAddress, on_delete=models.PROTECT, related_name="utxos"
    )
    address_id: int
    amount_koinu: models.BigIntegerField[int, int] = models.BigIntegerField()
    source: models.CharField[str, str] = models.CharField(max_length=16, choices=Source.choices)
    deposit: models.OneToOneField[Deposit | None, Deposit | None] = models.OneToOneField(
        Deposit, on_delete=models.PROTECT, null=True, blank=True, related_name="utxo"
    )
    created_by: models.ForeignKey[ChainTransaction | None, ChainTransaction | None] = models.ForeignKey(
        ChainTransaction, on_delete=models.PROTECT, null=True, blank=True, related_name="change_outputs"
    )
    is_spendable: models.BooleanField[bool, bool] = models.BooleanField(default=False)
    reserved_by: models.ForeignKey[ChainTransaction | None, ChainTransaction | None] = models.ForeignKey(
        ChainTransaction, on_delete=models.PROTECT, null=True, blank=True, related_name="inputs"
    )
    reserved_by_id: uuid.UUID | None
    spent_txid: models.CharField[str | None, str | None] = models.CharField(
        max_length=64, null=True, blank=True
    )
    spent_block_hash: models.CharField[str | None, str | None] = models.CharField(
        max_length=64, null=True, blank=True
    )
    created_at: models.DateTimeField[datetime, datetime] = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["txid", "vout"], name="chain_utxo_outpoint_uniq"),
            models.CheckConstraint(condition=Q(amount_koinu__gt=0), name="chain_utxo_amount_positive"),
            models.CheckConstraint(
                condition=(Q(source="deposit", deposit__isnull=False, created_by__isnull=True))
                | (Q(source="change", deposit__isnull=True, created_by__isnull=False)),
                name="chain_utxo_origin",
            ),
        ]
        indexes = [
            models.Index(
                fields=["-amount_koinu"],
                name="chain_utxo_available_idx",
                condition=Q(is_spendable=True, reserved_by__isnull=True, spent_txid__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.txid}:{self.vout} {self.amount_koinu}"


class Withdrawal(models.Model):
    """A user's request to send DOGE out, and where it is on its way.

    ``awaiting_approval`` (above the staff threshold) → ``approved`` (queued for the signer) →
    ``signed`` → ``broadcast`` → ``confirmed``; or ``rejected`` (by staff) / ``failed`` (the chain
    transaction failed). ``on_hold``: the signer found the wallet frozen when it came to pay an
    approved withdrawal; it waits for staff (approve again once the review is done, or reject).
    Amount plus fee are held by a pending ledger transfer from the moment of the request
    (``hold_transfer_id``) until it is posted (confirmed) or voided (rejected, failed).

    The id is derived from (user, Idempotency-Key) (``booking.withdrawal_id_for_request``) and the
    key is kept in ``idempotency_key``: the row is the record of the key, so a retried request can
    never make a second withdrawal.
    """

    #: Set (not stored) when a request found this withdrawal already made with its key.
    is_replayed = False

    class Status(models.TextChoices):
        AWAITING_APPROVAL = "awaiting_approval"
        APPROVED = "approved"
        ON_HOLD = "on_hold"
        SIGNED = "signed"
        BROADCAST = "broadcast"
        CONFIRMED = "confirmed"
        FAILED = "failed"
        REJECTED = "rejected"

    id: models.UUIDField[uuid.UUID, uuid.UUID] = models.UUIDField(
        primary_key=True, default=uuid.uuid4, editable=False
    )
    user_id: models.UUIDField[uuid.UUID, uuid.UUID] = models.UUIDField()
    idempotency_key: models.CharField[str | None, str | None] = models.CharField(
        max_length=255, null=True, blank=True, help_text="the request's Idempotency-Key"
    )
    address: models.CharField[str, str] = models.CharField(max_length=64)
    amount_koinu: models.BigIntegerField[int, int] = models.BigIntegerField()
    fee_koinu: models.BigIntegerField[int, int] = models.BigIntegerField(
        help_text="network fee charged to the user (quoted)"
    )
    status: models.CharField[str, str] = models.CharField(max_length=20, choices=Status.choices)
    hold_transfer_id: models.UUIDField[uuid.UUID, uuid.UUID] = models.UUIDField(unique=True)
    chain_tx: models.ForeignKey[ChainTransaction | None, ChainTransaction | None] = models.ForeignKey(
        ChainTransaction, on_delete=models.PROTECT, null=True, blank=True, related_name="withdrawals"
    )
    chain_tx_id: uuid.UUID | None
    vout: models.IntegerField[int | None, int | None] = models.IntegerField(null=True, blank=True)
    network_fee_share_koinu: models.BigIntegerField[int | None, int | None] = models.BigIntegerField(
        null=True, blank=True
    )
    created_at: models.DateTimeField[datetime, datetime] = models.DateTimeField(default=timezone.now)
    approved_at: models.DateTimeField[datetime | None, datetime | None] = models.DateTimeField(
        null=True, blank=True
    )
    reviewed_by: models.CharField[str, str] = models.CharField(max_length=64, blank=True, default="")
    review_note: models.TextField[str, str] = models.TextField(blank=True, default="")
    confirmed_at: models.DateTimeField[datetime | None, datetime | None] = models.DateTimeField(
        null=True, blank=True
    )
    failed_at: models.DateTimeField[datetime | None, datetime | None] = models.DateTimeField(
        null=True, blank=True
    )
    failure_reason: models.TextField[str, str] = models.TextField(blank=True, default="")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount_koinu__gt=0), name="chain_withdrawal_amount_positive"),
            models.CheckConstraint(condition=Q(fee_koinu__gte=0), name="chain_withdrawal_fee_nonneg"),
            models.CheckConstraint(
                condition=~Q(status__in=["signed", "broadcast", "confirmed"])
                | Q(chain_tx__isnull=False, vout__isnull=False),
                name="chain_withdrawal_signed_has_tx",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["awaiting_approval", "approved", "on_hold", "rejected"])
                | Q(chain_tx__isnull=True),
                name="chain_withdrawal_unsigned_has_no_tx",
            ),
            models.UniqueConstraint(
                fields=["user_id", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="chain_withdrawal_one_per_key",
            ),
        ]
        indexes = [
            models.Index(fields=["user_id", "-created_at"], name="chain_withdrawal_user_idx"),
            models.Index(fields=["status", "created_at"], name="chain_withdrawal_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.id} {self.amount_koinu} {self.status}"


class ReconciliationRun(models.Model):
    """The outcome of one reconciliation (``manage.py reconcile`` or the periodic task), kept for staff."""

    id: int

    created_at: models.DateTimeField[datetime, datetime] = models.DateTimeField(default=timezone.now)
    is_balanced: models.BooleanField[bool, bool] = models.BooleanField()
    drift_koinu: models.BigIntegerField[int | None, int | None] = models.BigIntegerField(
        null=True, blank=True
    )
    #: The report (``ReconciliationReport.as_dict()``), or ``{"error": ...}`` when it could not run.
    report: models.JSONField[dict[str, object], dict[str, object]] = models.JSONField(default=dict)

    class Meta:
        indexes = [models.Index(fields=["-created_at"], name="chain_reconcile_recent_idx")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {'balanced' if self.is_balanced else 'DRIFT'}"
