"""Validating a transfer request before it is applied: :class:`TransferSpec` in, :class:`Prepared` out."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dbay_common.money import KOINU_MAX
from wallet_service.ledger.errors import InvalidTransfer
from wallet_service.ledger.policy import SWEEP_ONLY_REASONS, reason_check
from wallet_service.ledger.services._statements import (
    MAX_REFERENCE_CHARS,
    MAX_TIMEOUT_S,
    PENDING,
    POST_PENDING,
    SINGLE,
    VOID_PENDING,
)


@dataclass(frozen=True)
class TransferSpec:
    """One transfer of a linked group (:func:`transfers_create_linked`); mirrors the functions' args.

    ``kind`` ``single`` or ``pending`` needs ``debit_account_id``, ``credit_account_id``,
    ``amount_koinu`` and ``reason`` (``timeout_s`` only for pending). ``post_pending`` and
    ``void_pending`` need ``pending_id``; a post may give ``amount_koinu`` (default: all of it), a
    void may not. Their accounts are the pending transfer's; reason and reference default to the
    pending transfer's. A post or void may name a pending transfer created earlier in the same group.
    """

    transfer_id: uuid.UUID
    kind: str = SINGLE
    debit_account_id: uuid.UUID | None = None
    credit_account_id: uuid.UUID | None = None
    amount_koinu: int | None = None
    reason: str | None = None
    reference: Mapping[str, Any] | None = None
    timeout_s: int | None = None
    pending_id: uuid.UUID | None = None
    corrects_id: uuid.UUID | None = None

    @classmethod
    def single(
        cls,
        *,
        transfer_id: uuid.UUID,
        debit_account_id: uuid.UUID,
        credit_account_id: uuid.UUID,
        amount_koinu: int,
        reason: str,
        reference: Mapping[str, Any] | None = None,
    ) -> TransferSpec:
        return cls(
            transfer_id=transfer_id,
            kind=SINGLE,
            debit_account_id=debit_account_id,
            credit_account_id=credit_account_id,
            amount_koinu=amount_koinu,
            reason=reason,
            reference=reference,
        )

    @classmethod
    def pending_transfer(
        cls,
        *,
        transfer_id: uuid.UUID,
        debit_account_id: uuid.UUID,
        credit_account_id: uuid.UUID,
        amount_koinu: int,
        reason: str,
        reference: Mapping[str, Any] | None = None,
        timeout_s: int | None = None,
    ) -> TransferSpec:
        return cls(
            transfer_id=transfer_id,
            kind=PENDING,
            debit_account_id=debit_account_id,
            credit_account_id=credit_account_id,
            amount_koinu=amount_koinu,
            reason=reason,
            reference=reference,
            timeout_s=timeout_s,
        )

    @classmethod
    def post(
        cls, *, transfer_id: uuid.UUID, pending_id: uuid.UUID, amount_koinu: int | None = None
    ) -> TransferSpec:
        return cls(
            transfer_id=transfer_id, kind=POST_PENDING, pending_id=pending_id, amount_koinu=amount_koinu
        )

    @classmethod
    def void(cls, *, transfer_id: uuid.UUID, pending_id: uuid.UUID) -> TransferSpec:
        return cls(transfer_id=transfer_id, kind=VOID_PENDING, pending_id=pending_id)


def require_uuid(value: object, param: str) -> uuid.UUID:
    if not isinstance(value, uuid.UUID):
        raise InvalidTransfer(f"{param} must be a UUID.", param=param)
    return value


def check_amount(value: object, param: str = "amount_koinu") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= KOINU_MAX:
        raise InvalidTransfer(
            f"{param} must be a positive whole number of koinu (at most {KOINU_MAX}).",
            code="invalid_amount",
            param=param,
        )
    return value


def _reject_floats(value: Any) -> None:
    if isinstance(value, float):
        raise InvalidTransfer("reference must not contain floating-point numbers.", param="reference")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise InvalidTransfer("reference keys must be strings.", param="reference")
            _reject_floats(item)
    elif isinstance(value, list):
        for item in value:
            _reject_floats(item)


def normalise_reference(value: Mapping[str, Any] | None) -> dict[str, Any]:
    """The reference as stored: a JSON object of strings, integers, booleans, nulls, lists, objects."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidTransfer("reference must be a JSON object.", param="reference")
    reference = dict(value)
    _reject_floats(reference)
    try:
        text = json.dumps(reference, sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError):
        raise InvalidTransfer(
            "reference must be JSON: strings, integers, booleans, lists, objects."
        ) from None
    if len(text) > MAX_REFERENCE_CHARS:
        raise InvalidTransfer(
            f"reference must be at most {MAX_REFERENCE_CHARS} characters of JSON.", param="reference"
        )
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@dataclass(frozen=True)
class Prepared:
    """A validated transfer request."""

    transfer_id: uuid.UUID
    kind: str
    debit_account_id: uuid.UUID | None
    credit_account_id: uuid.UUID | None
    amount_koinu: int | None
    reason: str | None
    reference: dict[str, Any] | None
    timeout_s: int | None
    pending_id: uuid.UUID | None
    corrects_id: uuid.UUID | None = None
    allow_frozen: bool = False
    check_expiry: bool = True


def prepare(spec: TransferSpec) -> Prepared:
    transfer_id = require_uuid(spec.transfer_id, "transfer_id")
    if spec.kind in (SINGLE, PENDING):
        debit = require_uuid(spec.debit_account_id, "debit_account_id")
        credit = require_uuid(spec.credit_account_id, "credit_account_id")
        if debit == credit:
            raise InvalidTransfer(
                "debit and credit account must differ.",
                code="accounts_must_differ",
                param="credit_account_id",
            )
        if spec.pending_id is not None:
            raise InvalidTransfer(f"a {spec.kind} transfer names no pending transfer.", param="pending_id")
        timeout_s = spec.timeout_s
        if timeout_s is not None:
            if spec.kind != PENDING:
                raise InvalidTransfer("only a pending transfer can have a timeout.", param="timeout_s")
            if (
                isinstance(timeout_s, bool)
                or not isinstance(timeout_s, int)
                or not 0 < timeout_s <= MAX_TIMEOUT_S
            ):
                raise InvalidTransfer(
                    f"timeout_s must be a whole number of seconds from 1 to {MAX_TIMEOUT_S}.",
                    param="timeout_s",
                )
        if spec.corrects_id is not None:
            require_uuid(spec.corrects_id, "corrects_id")
        return Prepared(
            transfer_id=transfer_id,
            kind=spec.kind,
            debit_account_id=debit,
            credit_account_id=credit,
            amount_koinu=check_amount(spec.amount_koinu),
            reason=reason_check(spec.reason, reserved=SWEEP_ONLY_REASONS),
            reference=normalise_reference(spec.reference),
            timeout_s=timeout_s,
            pending_id=None,
            corrects_id=spec.corrects_id,
        )
    if spec.kind in (POST_PENDING, VOID_PENDING):
        pending_id = require_uuid(spec.pending_id, "pending_id")
        if pending_id == transfer_id:
            raise InvalidTransfer("a transfer cannot resolve itself.", param="pending_id")
        if spec.debit_account_id is not None or spec.credit_account_id is not None:
            raise InvalidTransfer(
                "a post or void moves between the pending transfer's accounts; name no accounts.",
                param="credit_account_id",
            )
        if spec.timeout_s is not None or spec.corrects_id is not None:
            raise InvalidTransfer("a post or void has no timeout and corrects nothing.")
        amount: int | None = None
        if spec.amount_koinu is not None:
            if spec.kind == VOID_PENDING:
                raise InvalidTransfer("a void releases the whole pending amount; give no amount.")
            amount = check_amount(spec.amount_koinu)
        return Prepared(
            transfer_id=transfer_id,
            kind=spec.kind,
            debit_account_id=None,
            credit_account_id=None,
            amount_koinu=amount,
            reason=None if spec.reason is None else reason_check(spec.reason, reserved=SWEEP_ONLY_REASONS),
            reference=None if spec.reference is None else normalise_reference(spec.reference),
            timeout_s=None,
            pending_id=pending_id,
        )
    raise InvalidTransfer(
        "kind must be one of single, pending, post_pending, void_pending.", code="invalid_kind", param="kind"
    )
