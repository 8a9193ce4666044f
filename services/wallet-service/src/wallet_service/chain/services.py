"""Writes of the chain side that users and staff trigger: deposit addresses and withdrawal requests.

The chain follower's writes are in :mod:`wallet_service.chain.follower`, the signer's in
:mod:`wallet_service.chain.signer`; the ledger transfers all of them make are in
:mod:`wallet_service.chain.booking`. Every function here is keyword-only and atomic, and documents
the rows it locks and the events it publishes.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from dbay_common.django.idempotency.middleware import IDEMPOTENCY_HEADER
from dbay_common.errors import Conflict, InvalidRequest, NotFound, PermissionDenied, UnprocessableEntity
from dbay_common.money import Koinu
from wallet_service.chain import booking, events
from wallet_service.chain.keys import (
    AddressChain,
    AddressError,
    account_public_key,
    configured_network,
    decode_address,
    p2pkh_address,
)
from wallet_service.chain.models import (
    EXTERNAL_INDEX_SEQUENCE,
    INTERNAL_INDEX_SEQUENCE,
    WalletAddress,
    Withdrawal,
)
from wallet_service.chain.selectors import withdrawal_quote

# -- addresses -----------------------------------------------------------------------------------------


def _next_index(chain: AddressChain) -> int:
    sequence = EXTERNAL_INDEX_SEQUENCE if chain == AddressChain.EXTERNAL else INTERNAL_INDEX_SEQUENCE
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(%s)", [sequence])
        (index,) = cursor.fetchone()
    return int(index)


def _user_lock(user_id: uuid.UUID, purpose: str) -> None:
    """Serialize one user's ``purpose`` actions for the rest of the transaction (advisory lock)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"chain:{purpose}:{user_id}"]
        )


def _address_create(*, chain: AddressChain, user_id: uuid.UUID | None, is_current: bool) -> WalletAddress:
    index = _next_index(chain)
    key = account_public_key()
    pubkey_hash = key.pubkey_hash(chain, index)
    return WalletAddress.objects.create(
        chain=int(chain),
        derivation_index=index,
        address=p2pkh_address(pubkey_hash, key.network),
        pubkey_hash=pubkey_hash.hex(),
        user_id=user_id,
        is_current=is_current,
    )


@transaction.atomic
def deposit_address_get_or_create(*, user_id: uuid.UUID) -> WalletAddress:
    """The user's current deposit address, derived and stored on the first call.

    Locks: a per-user advisory lock, so two first calls at once give one address (the partial UNIQUE
    on (user_id) where is_current backs it). The index comes from a PostgreSQL sequence: never the
    same for two users, even across rollbacks.
    """
    _user_lock(user_id, "address")
    current = WalletAddress.objects.filter(user_id=user_id, is_current=True).first()
    if current is not None:
        return current
    return _address_create(chain=AddressChain.EXTERNAL, user_id=user_id, is_current=True)


@transaction.atomic
def deposit_address_rotate(*, user_id: uuid.UUID) -> WalletAddress:
    """Give the user a fresh deposit address; the old ones stay theirs and keep crediting.

    Locks: the per-user advisory lock (as :func:`deposit_address_get_or_create`).
    """
    _user_lock(user_id, "address")
    WalletAddress.objects.filter(user_id=user_id, is_current=True).update(is_current=False)
    return _address_create(chain=AddressChain.EXTERNAL, user_id=user_id, is_current=True)


def change_address_create() -> WalletAddress:
    """A fresh internal-chain (m/44'/c'/0'/1/i) address for a transaction's change (inside a transaction)."""
    return _address_create(chain=AddressChain.INTERNAL, user_id=None, is_current=False)


# -- withdrawals ---------------------------------------------------------------------------------------


def withdrawal_address_check(address: str, *, user_id: uuid.UUID | None = None) -> str:
    """Validate a destination for the configured network; raise a 400 ``invalid_address`` otherwise.

    The message says which check failed, in words a user can act on: not an address, a bad checksum
    (a typo), an address of another Dogecoin network (mainnet on regtest, say), the user's own
    deposit address (the DOGE would only come back), or one of the platform's change addresses (a
    payment to one would be indistinguishable from change). The web app calls this through
    ``GET withdrawals/address-check`` before it asks for a 2FA code.
    """
    try:
        decode_address(address, configured_network())
    except AddressError as error:
        raise InvalidRequest(str(error), code="invalid_address", param="address") from None
    owner = WalletAddress.objects.filter(address=address).values_list("chain", "user_id").first()
    if owner is not None and owner[0] == int(AddressChain.INTERNAL):
        raise InvalidRequest(
            "This address belongs to the platform's own wallet.", code="invalid_address", param="address"
        )
    if owner is not None and user_id is not None and owner[1] == user_id:
        raise InvalidRequest(
            "This is one of your own deposit addresses: DOGE sent there would come straight back to "
            "your wallet.",
            code="invalid_address",
            param="address",
        )
    return address


@transaction.atomic
def withdrawal_request(
    *, user_id: uuid.UUID, address: str, amount_koinu: Koinu, idempotency_key: str, email_verified: bool
) -> Withdrawal:
    """Request a withdrawal: validate, check the limits, and hold amount + fee at once.

    Money leaves only from accounts whose email address is verified (``email_verified``, the
    account's current state as user-service answered it for this request): 403 ``email_unverified``
    otherwise, before anything else is looked at.

    Idempotent by ``idempotency_key``: the withdrawal's id is derived from (user, key)
    (:func:`booking.withdrawal_id_for_request`) and is the primary key, so the row *is* the record
    of the key, committed in the same transaction as the hold. A retry with the same key — after a
    crash lost the HTTP layer's stored answer, say — finds that row and returns it
    (``is_replayed``) with nothing new held or published; the same key with another address or
    amount is a 422 ``idempotency_key_reused``.

    Invariants: the hold (pending transfer user wallet → withdrawals_in_flight for amount + fee, id
    derived from the withdrawal id) exists iff the Withdrawal row does (one transaction); the user's
    withdrawals over the last 24 hours (not failed or rejected) never exceed
    WITHDRAWAL_DAILY_LIMIT_KOINU. Above WITHDRAWAL_APPROVAL_THRESHOLD_KOINU it waits for staff.

    Locks: a per-user advisory lock (so two requests cannot both pass the velocity check, and two
    requests with one key see each other's row), then the ledger's account rows. Raises
    InvalidRequest (address, dust, too large, limit) or the ledger's InsufficientFunds /
    AccountFrozen; nothing is written then. Publishes ``withdrawal.requested`` (new rows only).
    """
    if not email_verified:
        raise PermissionDenied(
            "Verify your email address before withdrawing: open the link we sent you, or ask for a "
            "new one from your account page.",
            code="email_unverified",
        )
    withdrawal_id = booking.withdrawal_id_for_request(user_id, idempotency_key)
    _user_lock(user_id, "withdrawal")
    existing = Withdrawal.objects.filter(id=withdrawal_id).select_related("chain_tx").first()
    if existing is not None:
        if existing.address != address or existing.amount_koinu != amount_koinu:
            raise UnprocessableEntity(
                "This Idempotency-Key was already used for another withdrawal.",
                code="idempotency_key_reused",
                param=IDEMPOTENCY_HEADER,
            )
        existing.is_replayed = True
        return existing
    withdrawal_address_check(address, user_id=user_id)
    quote = withdrawal_quote(amount_koinu=amount_koinu)  # refuses dust and impossible amounts
    since = timezone.now() - timedelta(days=1)
    used = (
        Withdrawal.objects.filter(user_id=user_id, created_at__gte=since)
        .exclude(status__in=[Withdrawal.Status.FAILED, Withdrawal.Status.REJECTED])
        .aggregate(total=Sum("amount_koinu"))["total"]
        or 0
    )
    limit = int(settings.WITHDRAWAL_DAILY_LIMIT_KOINU)
    if used + amount_koinu > limit:
        raise InvalidRequest(
            f"This withdrawal would exceed your daily limit of {Koinu(limit).to_doge()} DOGE "
            f"({Koinu(max(0, limit - used)).to_doge()} DOGE left in the last 24 hours).",
            code="velocity_limit_exceeded",
            param="amount_koinu",
        )
    needs_approval = amount_koinu > int(settings.WITHDRAWAL_APPROVAL_THRESHOLD_KOINU)
    withdrawal = Withdrawal.objects.create(
        id=withdrawal_id,
        user_id=user_id,
        idempotency_key=idempotency_key,
        address=address,
        amount_koinu=amount_koinu,
        fee_koinu=quote.fee_koinu,
        status=Withdrawal.Status.AWAITING_APPROVAL if needs_approval else Withdrawal.Status.APPROVED,
        hold_transfer_id=booking.withdrawal_hold_id(withdrawal_id),
        approved_at=None if needs_approval else timezone.now(),
    )
    booking.withdrawal_hold(withdrawal)
    events.withdrawal_requested_published(withdrawal)
    return withdrawal


def _withdrawal_for_review(withdrawal_id: uuid.UUID) -> Withdrawal:
    withdrawal = Withdrawal.objects.select_for_update().filter(id=withdrawal_id).first()
    if withdrawal is None:
        raise NotFound("No such withdrawal.", code="withdrawal_not_found")
    if withdrawal.status not in (Withdrawal.Status.AWAITING_APPROVAL, Withdrawal.Status.ON_HOLD):
        raise Conflict(
            f"The withdrawal is {withdrawal.status.replace('_', ' ')}, not waiting for a review.",
            code="withdrawal_not_awaiting_approval",
        )
    return withdrawal


@transaction.atomic
def withdrawal_approve(*, withdrawal_id: uuid.UUID, staff_id: uuid.UUID, note: str = "") -> Withdrawal:
    """Staff approve a withdrawal above the threshold, or one on hold: it joins the signer's queue.

    Locks the withdrawal row. Only ``awaiting_approval`` and ``on_hold`` can be approved (409
    otherwise, so a double click is harmless and never approves a rejected one). The signer checks
    the wallet again when it pays: a wallet still frozen puts the withdrawal back ``on_hold``.
    """
    withdrawal = _withdrawal_for_review(withdrawal_id)
    withdrawal.status = Withdrawal.Status.APPROVED
    withdrawal.approved_at = timezone.now()
    withdrawal.reviewed_by = str(staff_id)
    withdrawal.review_note = note
    withdrawal.save(update_fields=["status", "approved_at", "reviewed_by", "review_note"])
    return withdrawal


@transaction.atomic
def withdrawal_reject(*, withdrawal_id: uuid.UUID, staff_id: uuid.UUID, note: str = "") -> Withdrawal:
    """Staff reject a withdrawal: its hold is voided (funds available again). Emits ``withdrawal.failed``."""
    withdrawal = _withdrawal_for_review(withdrawal_id)
    booking.withdrawal_void(withdrawal)
    withdrawal.status = Withdrawal.Status.REJECTED
    withdrawal.reviewed_by = str(staff_id)
    withdrawal.review_note = note
    withdrawal.failed_at = timezone.now()
    withdrawal.failure_reason = "rejected by staff" + (f": {note}" if note else "")
    withdrawal.save(update_fields=["status", "reviewed_by", "review_note", "failed_at", "failure_reason"])
    events.withdrawal_failed_published(withdrawal, reason="rejected", txid=None)
    return withdrawal
