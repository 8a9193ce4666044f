"""marshmallow fields for dBay conventions (Flask services)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import marshmallow as ma

from dbay_common.money import InvalidAmount, Koinu


class KoinuField(ma.fields.Field):
    """An amount in koinu carried in JSON as a string of digits (``"150000000"``).

    Floats, booleans, decimals and negative amounts fail validation (a 400 naming the field).
    """

    def __init__(self, **kwargs: Any) -> None:
        metadata = {
            "type": "string",
            "pattern": "^[0-9]+$",
            "example": "150000000",
            **kwargs.pop("metadata", {}),
        }
        super().__init__(metadata=metadata, **kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else Koinu(int(value)).to_json()

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> Koinu:
        try:
            return Koinu.parse(value)
        except InvalidAmount as error:
            raise ma.ValidationError(str(error)) from None
