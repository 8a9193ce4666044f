"""DRF serializer fields for dBay conventions."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from dbay_common.money import InvalidAmount, Koinu


@extend_schema_field({"type": "string", "pattern": "^[0-9]+$", "example": "150000000"})
class KoinuField(serializers.Field):
    """An amount in koinu carried in JSON as a string of digits (``"150000000"``).

    Input: a digit string (or a JSON integer); floats, booleans, decimals and negative amounts are
    rejected with a 400 naming the field (code ``invalid_amount``). Output: the digit string.
    """

    default_error_messages = {"invalid_amount": "{reason}"}

    def to_internal_value(self, data: Any) -> Koinu:
        try:
            return Koinu.parse(data)
        except InvalidAmount as error:
            self.fail("invalid_amount", reason=str(error))
            raise  # unreachable: fail() raises

    def to_representation(self, value: int) -> str:
        return Koinu(int(value)).to_json()
