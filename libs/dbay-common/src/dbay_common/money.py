"""Koinu: the one money type of dBay.

Every amount in dBay is an integer number of koinu (1 DOGE = 100,000,000 koinu). Floats never carry
money: binary floating point cannot represent 0.1 DOGE exactly, and a rounding error in a ledger is
a real loss. ``Koinu`` is an ``int`` subclass so it stores in a ``BigIntegerField`` and compares with
plain integers, while its constructors refuse every input that could smuggle a float or an ambiguous
string in.

JSON carries amounts as strings of digits (``"amount_koinu": "150000000"``) because JavaScript numbers
lose precision above 2**53; :meth:`Koinu.to_json` produces that form and :meth:`Koinu.parse` reads it.
"""

from __future__ import annotations

import re
from typing import Any, SupportsIndex

KOINU_PER_DOGE = 100_000_000
DOGE_DECIMALS = 8

# Amounts must fit the signed 64-bit ``BigIntegerField`` every ``*_koinu`` column uses; anything
# larger would fail at the database, so it is rejected as bad input at the edge instead.
KOINU_MAX = 2**63 - 1

# ASCII digits only: ``\d`` would also accept other scripts' digits ("١٢٣"), which int() happily
# parses but no client means to send.
_DOGE_PATTERN = re.compile(r"(-?)([0-9]{1,19})(?:\.([0-9]{1,8}))?")
_KOINU_PATTERN = re.compile(r"(-?)([0-9]{1,19})")


class InvalidAmount(ValueError):  # noqa: N818 - name fixed by the shared API
    """An amount that is not a valid number of koinu. A ``ValueError`` so views map it to a 400."""


class InvalidAmountType(InvalidAmount, TypeError):  # noqa: N818 - name fixed by the shared API
    """An amount of the wrong Python type (float, bool, Decimal...).

    It is both a ``TypeError`` (the honest description of a programming error such as passing a float)
    and an :class:`InvalidAmount`, so a view that catches ``InvalidAmount`` around JSON input (where a
    client may send ``1.5`` instead of ``"1.5"``) still answers 400 rather than 500.
    """


def _check_range(value: int) -> None:
    if not -KOINU_MAX <= value <= KOINU_MAX:
        raise InvalidAmount(f"amount out of range: must fit in 64 bits (|amount| <= {KOINU_MAX} koinu)")


def _reject_non_int(value: object, what: str) -> None:
    # bool is an int subclass; True koinu is never what a caller meant.
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidAmountType(f"{what} must be an int, not {type(value).__name__}")


class Koinu(int):
    """An integer amount of koinu. Immutable; arithmetic with ints or Koinu returns Koinu.

    Construct from an ``int`` (``Koinu(150_000_000)``), from a DOGE decimal string
    (``Koinu.from_doge("1.5")``) or from a JSON digit string (``Koinu.parse("150000000")``).
    Negative values are allowed by the constructor because ledger deltas are signed; the parsers
    reject them unless asked, because user input is almost never meant to be negative.
    """

    __slots__ = ()

    def __new__(cls, value: int = 0) -> Koinu:
        _reject_non_int(value, "Koinu")
        _check_range(int(value))
        return super().__new__(cls, value)

    # -- parsing ---------------------------------------------------------------------------------

    @classmethod
    def from_doge(cls, value: str | int, *, allow_negative: bool = False) -> Koinu:
        """Parse a DOGE amount written in decimal (``"1"``, ``"1.5"``, ``"0.00000001"``).

        At most 8 decimals (a koinu is the smallest unit), no exponent, no sign other than a leading
        ``-`` (and only with ``allow_negative``), no surrounding whitespace, no thousands separators.
        Floats raise :class:`InvalidAmountType` (a ``TypeError``): converting one to DOGE would already
        have lost precision. Ints are accepted as whole DOGE.
        """
        if isinstance(value, int) and not isinstance(value, bool):
            if value < 0 and not allow_negative:
                raise InvalidAmount("amount must not be negative")
            return cls(value * KOINU_PER_DOGE)
        if not isinstance(value, str):
            raise InvalidAmountType(f"DOGE amount must be a decimal string, not {type(value).__name__}")
        match = _DOGE_PATTERN.fullmatch(value)
        if match is None:
            raise InvalidAmount(
                f"invalid DOGE amount {value[:40]!r}: expected digits with at most {DOGE_DECIMALS} decimals"
            )
        sign, whole, fraction = match.groups()
        if sign and not allow_negative:
            raise InvalidAmount("amount must not be negative")
        magnitude = int(whole) * KOINU_PER_DOGE + int((fraction or "").ljust(DOGE_DECIMALS, "0"))
        _check_range(magnitude)
        return cls(-magnitude if sign else magnitude)

    @classmethod
    def parse(cls, value: str | int, *, allow_negative: bool = False) -> Koinu:
        """Parse an amount in koinu as carried in JSON: a string of digits, or an int.

        ``bool`` and ``float`` raise :class:`InvalidAmountType`; strings must be plain ASCII digits
        (no whitespace, ``+``, decimals or exponent) with a leading ``-`` only when ``allow_negative``.
        """
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise InvalidAmountType(f"koinu amount must be a string of digits, not {type(value).__name__}")
        if isinstance(value, int):
            number = int(value)
        else:
            match = _KOINU_PATTERN.fullmatch(value)
            if match is None:
                raise InvalidAmount(f"invalid koinu amount {value[:40]!r}: expected a string of digits")
            number = int(value)
        if number < 0 and not allow_negative:
            raise InvalidAmount("amount must not be negative")
        _check_range(number)
        return cls(number)

    # -- rendering -------------------------------------------------------------------------------

    def to_doge(self) -> str:
        """The amount in DOGE with exactly 8 decimals: ``Koinu(150000000).to_doge() == "1.50000000"``."""
        whole, fraction = divmod(abs(int(self)), KOINU_PER_DOGE)
        sign = "-" if self < 0 else ""
        return f"{sign}{whole}.{fraction:08d}"

    def to_json(self) -> str:
        """The amount as the JSON digit string the API carries (``"150000000"``)."""
        return str(int(self))

    def __repr__(self) -> str:
        return f"Koinu({int(self)})"

    def __str__(self) -> str:
        # int.__str__ would fall back to __repr__ for a subclass: "Koinu(700)" in a JSON body or a
        # log line. The plain digits are what every reader of an amount expects.
        return str(int(self))

    # -- arithmetic: stay Koinu, never become float ----------------------------------------------

    def __add__(self, other: int) -> Koinu:
        _reject_non_int(other, "operand")
        return Koinu(int(self) + int(other))

    __radd__ = __add__

    def __sub__(self, other: int) -> Koinu:
        _reject_non_int(other, "operand")
        return Koinu(int(self) - int(other))

    def __rsub__(self, other: int) -> Koinu:
        _reject_non_int(other, "operand")
        return Koinu(int(other) - int(self))

    def __mul__(self, other: int) -> Koinu:
        _reject_non_int(other, "operand")
        return Koinu(int(self) * int(other))

    __rmul__ = __mul__

    def __floordiv__(self, other: int) -> Koinu:
        _reject_non_int(other, "divisor")
        return Koinu(int(self) // int(other))

    def __mod__(self, other: int) -> Koinu:
        _reject_non_int(other, "divisor")
        return Koinu(int(self) % int(other))

    def __truediv__(self, other: Any) -> float:
        raise TypeError("Koinu does not support '/': use // (and % for the remainder) to stay in integers")

    __rtruediv__ = __truediv__

    def __neg__(self) -> Koinu:
        return Koinu(-int(self))

    def __pos__(self) -> Koinu:
        return self

    def __abs__(self) -> Koinu:
        return Koinu(abs(int(self)))

    def __round__(self, ndigits: SupportsIndex | None = None) -> Koinu:
        return self

    def __copy__(self) -> Koinu:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Koinu:
        return self

    def __reduce__(self) -> tuple[type[Koinu], tuple[int]]:
        return (Koinu, (int(self),))

    # -- pydantic (event schemas) ----------------------------------------------------------------

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        """Validate like :meth:`parse` (non-negative digit string or int) and dump to JSON as digits.

        So an event model can declare ``amount_koinu: Koinu`` and its JSON carries ``"150000000"``.
        """
        from pydantic_core import core_schema

        return core_schema.no_info_plain_validator_function(
            cls._from_pydantic,
            serialization=core_schema.plain_serializer_function_ser_schema(
                cls._to_pydantic_json, when_used="json"
            ),
        )

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: Any) -> dict[str, Any]:
        return {"type": "string", "pattern": "^[0-9]+$", "description": "An amount in koinu (1 DOGE = 1e8)."}

    @classmethod
    def _from_pydantic(cls, value: Any) -> Koinu:
        return value if isinstance(value, Koinu) and value >= 0 else cls.parse(value)

    @staticmethod
    def _to_pydantic_json(value: Koinu) -> str:
        return Koinu(value).to_json()
