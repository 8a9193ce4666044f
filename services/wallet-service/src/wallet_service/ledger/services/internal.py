"""What other services ask of the ledger over the internal API: holds and transfers, in their terms.

Each function applies the policy of :mod:`wallet_service.ledger.policy` (which accounts and reasons
another service may use, the id an ``Idempotency-Key`` stands for), calls the ledger's transfer
functions, and reports refusals with the parameter names of the internal API (``hold_id``,
``user_id``, ``expires_in_s``, ``debit`` ...), so the views only parse and render.

Every write is idempotent by its id, like the transfers it makes: a retry answers the hold or
transfer as it is now. None of them emits events.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from wallet_service.ledger.errors import AccountNotFound, ApiError, InsufficientFunds, InvalidReason
from wallet_service.ledger.models import Transfer
from wallet_service.ledger.policy import (
    HOLD_ACCOUNTS,
    RESERVED_REASONS,
    AccountRef,
    Caller,
    caller_transfer_id,
    reason_check,
)
from wallet_service.ledger.selectors import PendingTransferState, pending_transfer_state
from wallet_service.ledger.services.accounts import account_user_wallet_get_or_create
from wallet_service.ledger.services.transfers import (
    transfer_create,
    transfer_pending_replace,
    transfer_post_pending,
    transfer_void_pending,
)


def _renamed(error: ApiError, names: Mapping[str, str]) -> ApiError:
    """``error`` with its ``param`` in the internal API's words (``transfer_id`` → ``hold_id`` ...)."""
    if error.param is not None:
        head, _, rest = error.param.partition(".")
        error.param = names.get(head, head) + (f".{rest}" if rest else "")
    return error


def _account_id(ref: AccountRef, *, create_wallet: bool) -> uuid.UUID:
    if ref.user_id is not None and create_wallet:
        return account_user_wallet_get_or_create(user_id=ref.user_id).id
    return ref.account_id


def hold_create(
    *,
    caller: Caller,
    hold_id: uuid.UUID | None,
    user_id: uuid.UUID,
    amount_koinu: int,
    reason: str,
    reference: Mapping[str, Any] | None = None,
    expires_in_s: int | None = None,
    replaces_hold_id: uuid.UUID | None = None,
) -> PendingTransferState:
    """Reserve ``amount_koinu`` of the user's wallet into the holding account of ``reason``.

    ``bid_hold`` holds into bid_holds, ``order_escrow`` into order_escrow (other reasons: 400
    ``invalid_reason``). With ``replaces_hold_id`` the old hold is voided and the new one placed,
    both or neither (:func:`transfer_pending_replace`). A user without a wallet has nothing to hold:
    400 ``insufficient_funds``. The id is ``hold_id``, else derived from the caller's
    ``Idempotency-Key``. Locks as the transfer functions do; returns the hold as it is now.
    """
    hold_id = caller_transfer_id(given=hold_id, caller=caller, param="hold_id")
    reason_check(reason, reserved=RESERVED_REASONS)
    if reason not in HOLD_ACCOUNTS:
        raise InvalidReason(f"A hold's reason is one of: {', '.join(HOLD_ACCOUNTS)}.", param="reason")
    arguments: dict[str, Any] = {
        "transfer_id": hold_id,
        "debit_account_id": AccountRef(user_id=user_id).account_id,
        "credit_account_id": HOLD_ACCOUNTS[reason].account_id,
        "amount_koinu": amount_koinu,
        "reason": reason,
        "reference": reference,
        "timeout_s": expires_in_s,
    }
    try:
        if replaces_hold_id is not None:
            transfer_pending_replace(replaces_id=replaces_hold_id, **arguments)
        else:
            transfer_create(pending=True, **arguments)
    except AccountNotFound as error:
        raise InsufficientFunds(param="amount_koinu") from error
    except ApiError as error:
        names = {
            "transfer_id": "hold_id",
            "debit_account_id": "user_id",
            "timeout_s": "expires_in_s",
            "replaces_id": "replaces_hold_id",
        }
        raise _renamed(error, names) from None
    return pending_transfer_state(transfer_id=hold_id, now=timezone.now())


def hold_post(
    *,
    caller: Caller,
    hold_id: uuid.UUID,
    post_id: uuid.UUID | None,
    amount_koinu: int | None = None,
    destination: AccountRef | None = None,
) -> PendingTransferState:
    """Post the hold for ``amount_koinu`` (default all of it), releasing the rest to the user.

    With ``destination`` the posted amount moves on to that account in a linked transfer (a user
    receiving for the first time gets a wallet). Idempotent on ``post_id`` (else derived from the
    ``Idempotency-Key``). Returns the hold as it is now.
    """
    post_id = caller_transfer_id(given=post_id, caller=caller, param="post_id")
    try:
        transfer_post_pending(
            transfer_id=post_id,
            pending_id=hold_id,
            amount_koinu=amount_koinu,
            credit_account_id=None if destination is None else _account_id(destination, create_wallet=True),
        )
    except ApiError as error:
        raise _renamed(error, {"transfer_id": "post_id", "pending_id": "hold_id"}) from None
    return pending_transfer_state(transfer_id=hold_id, now=timezone.now())


def hold_void(*, caller: Caller, hold_id: uuid.UUID, void_id: uuid.UUID | None) -> PendingTransferState:
    """Release the whole hold. Idempotent on ``void_id`` (else derived from the ``Idempotency-Key``)."""
    void_id = caller_transfer_id(given=void_id, caller=caller, param="void_id")
    try:
        transfer_void_pending(transfer_id=void_id, pending_id=hold_id)
    except ApiError as error:
        raise _renamed(error, {"transfer_id": "void_id", "pending_id": "hold_id"}) from None
    return pending_transfer_state(transfer_id=hold_id, now=timezone.now())


def service_transfer_create(
    *,
    caller: Caller,
    transfer_id: uuid.UUID | None,
    debit: AccountRef,
    credit: AccountRef,
    amount_koinu: int,
    reason: str,
    reference: Mapping[str, Any] | None = None,
) -> Transfer:
    """Move ``amount_koinu`` from ``debit`` to ``credit`` at once, for another service.

    The reason may not be one the wallet keeps for itself (403 ``reason_reserved``). A user
    receiving for the first time gets a wallet; a user without one has nothing to pay with (400
    ``insufficient_funds``). Idempotent on ``transfer_id`` (else derived from the
    ``Idempotency-Key``); the recorded transfer has exactly the requested accounts (else it was a
    conflict). Locks both accounts in the transfer's one statement.
    """
    transfer_id = caller_transfer_id(given=transfer_id, caller=caller, param="transfer_id")
    reason_check(reason, reserved=RESERVED_REASONS)
    arguments: dict[str, Any] = {
        "transfer_id": transfer_id,
        "debit_account_id": debit.account_id,
        "credit_account_id": credit.account_id,
        "amount_koinu": amount_koinu,
        "reason": reason,
        "reference": reference,
    }
    try:
        try:
            return transfer_create(**arguments)
        except AccountNotFound as error:
            if error.param != "credit_account_id":
                raise
            # A user receiving for the first time: open the wallet, then transfer (same id).
            arguments["credit_account_id"] = _account_id(credit, create_wallet=True)
            return transfer_create(**arguments)
    except AccountNotFound as error:
        # A user with no wallet has nothing to pay with.
        raise InsufficientFunds(param="amount_koinu") from error
    except ApiError as error:
        raise _renamed(error, {"debit_account_id": "debit", "credit_account_id": "credit"}) from None
