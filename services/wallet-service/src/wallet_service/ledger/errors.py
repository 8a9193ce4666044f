"""Why the ledger refuses a transfer. Each is an ``ApiError``, so a view renders it as is.

Every refusal leaves the ledger untouched: the service function raises inside its transaction, so
nothing it wrote survives.
"""

from __future__ import annotations

from dbay_common.errors import ApiError, Conflict, InvalidRequest, NotFound, PermissionDenied


class InvalidTransfer(InvalidRequest):
    """The transfer itself is malformed (same account on both sides, bad reason code, ...)."""

    default_code = "invalid_transfer"
    default_message = "The transfer is invalid."


class InvalidReason(InvalidTransfer):
    """The reason is not a reason code (:func:`wallet_service.ledger.policy.reason_check`)."""

    default_code = "invalid_reason"
    default_message = (
        "reason must be a short code: a lowercase letter, then up to 31 lowercase letters, digits or "
        "underscores."
    )


class ReasonReserved(PermissionDenied):
    """The reason is one the caller may not write (:func:`wallet_service.ledger.policy.reason_check`)."""

    default_code = "reason_reserved"
    default_message = "This reason is reserved for the wallet itself."


class InsufficientFunds(InvalidRequest):
    """The debited wallet's available balance is below the amount."""

    default_code = "insufficient_funds"
    default_message = "The account's available balance is insufficient for this amount."


class AccountFrozen(PermissionDenied):
    """The debited account is frozen for review: it can receive, not spend."""

    default_code = "account_frozen"
    default_message = "The account is frozen for review; it cannot be debited."


class AccountNotFound(NotFound):
    default_code = "account_not_found"
    default_message = "No such account."


class TransferNotFound(NotFound):
    default_code = "transfer_not_found"
    default_message = "No such transfer."


class TransferConflict(Conflict):
    """The transfer id exists with different contents (a caller bug: ids are single-use)."""

    default_code = "transfer_id_conflict"
    default_message = "A transfer with this id already exists with different contents."


class TransferNotPending(Conflict):
    """A post or void names a transfer that is not a pending transfer."""

    default_code = "transfer_not_pending"
    default_message = "The named transfer is not a pending transfer."


class PendingTransferAlreadyPosted(Conflict):
    default_code = "pending_transfer_already_posted"
    default_message = "The pending transfer has already been posted."


class PendingTransferAlreadyVoided(Conflict):
    default_code = "pending_transfer_already_voided"
    default_message = "The pending transfer has already been voided."


class PendingTransferExpired(Conflict):
    """The pending transfer's timeout has passed: it is (or is about to be) voided by the sweep."""

    default_code = "pending_transfer_expired"
    default_message = "The pending transfer has expired; its amount is released."


class ExceedsPendingAmount(InvalidRequest):
    default_code = "exceeds_pending_amount"
    default_message = "The amount to post exceeds the pending amount."


class TransferNotReversible(Conflict):
    default_code = "transfer_not_reversible"
    default_message = "Only posted transfers (single or post_pending) can be reversed."


class ReversalExceedsOriginal(Conflict):
    default_code = "reversal_exceeds_original"
    default_message = "The corrections of this transfer would exceed its amount."


__all__ = [
    "AccountFrozen",
    "AccountNotFound",
    "ApiError",
    "ExceedsPendingAmount",
    "InsufficientFunds",
    "InvalidReason",
    "InvalidTransfer",
    "PendingTransferAlreadyPosted",
    "PendingTransferAlreadyVoided",
    "PendingTransferExpired",
    "ReasonReserved",
    "ReversalExceedsOriginal",
    "TransferConflict",
    "TransferNotFound",
    "TransferNotPending",
    "TransferNotReversible",
]
