"""Amounts as users send them: the largest balance there can be, and plain messages for bad input.

Every koinu counter of the ledger is a signed 64-bit column, so no balance can ever exceed
:data:`MAX_BALANCE_KOINU` (2**63 - 1 koinu, about 92 billion DOGE). An amount whose total with its
fee would pass it can never be paid and is refused up front as a 400, before any arithmetic that
could overflow. Messages here are shown to users as they are: no parser or type names in them.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field

from dbay_common.drf.fields import KoinuField
from dbay_common.errors import InvalidRequest
from dbay_common.money import KOINU_MAX, InvalidAmount, Koinu

#: The largest balance a wallet can hold: the ledger's 64-bit counters' maximum.
MAX_BALANCE_KOINU = KOINU_MAX

TOO_LARGE_MESSAGE = "The amount is larger than any balance can be."
NOT_A_NUMBER_MESSAGE = "Enter the amount as a whole number of koinu (1 DOGE = 100,000,000 koinu)."
NEGATIVE_MESSAGE = "The amount must not be negative."


def amount_parse(value: Any, *, param: str) -> Koinu:
    """``value`` as Koinu, or a 400 (param ``param``) with a message a user understands.

    Codes: ``amount_too_large`` (digits beyond the largest balance possible), ``invalid_amount``
    (anything that is not a whole non-negative number of koinu).
    """
    try:
        return Koinu.parse(value)
    except InvalidAmount:
        pass
    text = str(value) if isinstance(value, int | str) and not isinstance(value, bool) else ""
    digits = text[1:] if text.startswith("-") else text
    if digits.isascii() and digits.isdigit():
        if text.startswith("-"):
            raise InvalidRequest(NEGATIVE_MESSAGE, code="invalid_amount", param=param) from None
        raise InvalidRequest(TOO_LARGE_MESSAGE, code="amount_too_large", param=param) from None
    raise InvalidRequest(NOT_A_NUMBER_MESSAGE, code="invalid_amount", param=param) from None


def amount_total_check(*, amount_koinu: int, fee_koinu: int, param: str) -> None:
    """400 ``amount_too_large`` when amount + fee would pass the largest balance possible."""
    if int(amount_koinu) + int(fee_koinu) > MAX_BALANCE_KOINU:
        raise InvalidRequest(TOO_LARGE_MESSAGE, code="amount_too_large", param=param)


@extend_schema_field(
    {
        "type": "string",
        "pattern": "^[0-9]{1,19}$",
        "maxLength": 19,
        "example": "150000000",
        "description": f"koinu, a digit string; at most {MAX_BALANCE_KOINU} (the largest balance possible)",
    }
)
class AmountField(KoinuField):
    """A koinu amount from a user: like ``KoinuField``, but its refusals are plain 400s.

    Raises :class:`~dbay_common.errors.InvalidRequest` (rendered as the shared error, without a
    field-name prefix) instead of a DRF validation error.
    """

    def to_internal_value(self, data: Any) -> Koinu:
        return amount_parse(data, param=self.field_name or "amount_koinu")
