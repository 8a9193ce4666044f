"""Koinu: parsing tables, rendering, arithmetic that never leaves the integers."""

from __future__ import annotations

import copy
import pickle
from decimal import Decimal

import pytest

from dbay_common.money import KOINU_MAX, KOINU_PER_DOGE, InvalidAmount, InvalidAmountType, Koinu


@pytest.mark.parametrize(
    ("text", "koinu"),
    [
        ("0", 0),
        ("1", 100_000_000),
        ("1.5", 150_000_000),
        ("1.50000000", 150_000_000),
        ("0.00000001", 1),
        ("0.1", 10_000_000),
        ("123456.78901234", 12_345_678_901_234),
        ("007", 700_000_000),
        ("92233720368.54775807", KOINU_MAX),
    ],
)
def test_from_doge_valid(text: str, koinu: int) -> None:
    amount = Koinu.from_doge(text)
    assert type(amount) is Koinu
    assert amount == koinu


@pytest.mark.parametrize(
    "text",
    [
        "",
        " 1",
        "1 ",
        "1\n",
        "+1",
        "1.",
        ".5",
        "1.000000001",  # 9 decimals
        "0.000000001",
        "1e8",
        "1E-8",
        "1,5",
        "1_000",
        "0x10",
        "NaN",
        "inf",
        "\u0661",  # Arabic-Indic digit one
        "1.5.0",
        "--1",
        "92233720368.54775808",  # one koinu above the 64-bit limit
        "100000000000000000000",
    ],
)
def test_from_doge_invalid(text: str) -> None:
    with pytest.raises(InvalidAmount):
        Koinu.from_doge(text)


def test_from_doge_negative_only_when_allowed() -> None:
    with pytest.raises(InvalidAmount, match="negative"):
        Koinu.from_doge("-1.5")
    assert Koinu.from_doge("-1.5", allow_negative=True) == -150_000_000
    assert Koinu.from_doge(-2, allow_negative=True) == -200_000_000
    with pytest.raises(InvalidAmount, match="negative"):
        Koinu.from_doge(-2)


@pytest.mark.parametrize("value", [1.5, 0.1, float("nan"), Decimal("1.5"), True, None, b"1"])
def test_from_doge_rejects_non_strings_with_type_error(value: object) -> None:
    with pytest.raises(TypeError) as raised:
        Koinu.from_doge(value)  # type: ignore[arg-type]
    # Also an InvalidAmount, so a view catching InvalidAmount answers 400 for a JSON float.
    assert isinstance(raised.value, InvalidAmount)
    assert isinstance(raised.value, InvalidAmountType)


def test_from_doge_int_is_whole_doge() -> None:
    assert Koinu.from_doge(3) == 300_000_000


@pytest.mark.parametrize(
    ("value", "koinu"),
    [("0", 0), ("150000000", 150_000_000), ("1", 1), (42, 42), (str(KOINU_MAX), KOINU_MAX)],
)
def test_parse_valid(value: str | int, koinu: int) -> None:
    amount = Koinu.parse(value)
    assert type(amount) is Koinu
    assert amount == koinu


@pytest.mark.parametrize(
    "value", ["", " 1", "1 ", "+1", "1.0", "1e3", "-", "abc", "\u0661\u0662", str(KOINU_MAX + 1), "-5", -5]
)
def test_parse_invalid(value: str | int) -> None:
    with pytest.raises(InvalidAmount):
        Koinu.parse(value)


@pytest.mark.parametrize("value", [True, False, 1.0, 150000000.0, None, Decimal(1), [1]])
def test_parse_rejects_bool_and_float(value: object) -> None:
    with pytest.raises(InvalidAmountType):
        Koinu.parse(value)  # type: ignore[arg-type]


def test_parse_negative_when_allowed() -> None:
    assert Koinu.parse("-5", allow_negative=True) == -5


def test_constructor_accepts_only_ints() -> None:
    assert Koinu(5) == 5
    assert Koinu() == 0
    for bad in (1.5, "5", True, None):
        with pytest.raises(InvalidAmountType):
            Koinu(bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidAmount, match="out of range"):
        Koinu(KOINU_MAX + 1)


@pytest.mark.parametrize(
    ("koinu", "doge"),
    [
        (150_000_000, "1.50000000"),
        (1, "0.00000001"),
        (0, "0.00000000"),
        (KOINU_PER_DOGE, "1.00000000"),
        (-150_000_001, "-1.50000001"),
        (KOINU_MAX, "92233720368.54775807"),
    ],
)
def test_to_doge(koinu: int, doge: str) -> None:
    assert Koinu(koinu).to_doge() == doge


@pytest.mark.parametrize("koinu", [0, 1, 99_999_999, 100_000_000, 123_456_789_012, KOINU_MAX])
def test_round_trips(koinu: int) -> None:
    amount = Koinu(koinu)
    assert Koinu.from_doge(amount.to_doge()) == amount
    assert Koinu.parse(amount.to_json()) == amount
    assert amount.to_json() == str(koinu)
    assert pickle.loads(pickle.dumps(amount)) == amount
    assert type(pickle.loads(pickle.dumps(amount))) is Koinu
    assert copy.deepcopy(amount) is amount


def test_negative_round_trip() -> None:
    amount = Koinu(-123)
    assert Koinu.from_doge(amount.to_doge(), allow_negative=True) == amount
    assert Koinu.parse(amount.to_json(), allow_negative=True) == amount


def test_arithmetic_stays_koinu() -> None:
    a, b = Koinu(150), Koinu(50)
    results = [a + b, a - b, a * 3, 3 * a, a // 4, a % 7, -a, abs(-a), 10 + a, 1000 - a, round(a), +a]
    assert results == [200, 100, 450, 450, 37, 3, -150, 150, 160, 850, 150, 150]
    assert all(type(result) is Koinu for result in results)
    assert repr(a) == "Koinu(150)"
    assert a == 150 and hash(a) == hash(150)


def test_arithmetic_refuses_floats_and_true_division() -> None:
    a = Koinu(150)
    original = int(a)
    # (``0.5 + a`` cannot be refused: float.__add__ accepts any int before Koinu is asked.)
    for operation in (lambda: a + 0.5, lambda: a * 1.1, lambda: a - True, lambda: a // 2.0):
        with pytest.raises(TypeError):
            operation()
    with pytest.raises(TypeError, match="//"):
        a / 2
    assert a == original  # immutable: nothing changed


def test_immutable() -> None:
    a = Koinu(1)
    with pytest.raises(AttributeError):
        a.extra = 1  # type: ignore[attr-defined]
    b = a
    b += 1
    assert a == 1 and b == 2


# -- pydantic --------------------------------------------------------------------------------------


def test_pydantic_model_field() -> None:
    import pydantic

    class Paid(pydantic.BaseModel):
        amount_koinu: Koinu

    event = Paid.model_validate_json('{"amount_koinu": "150000000"}')
    assert type(event.amount_koinu) is Koinu and event.amount_koinu == 150_000_000
    assert event.model_dump_json() == '{"amount_koinu":"150000000"}'
    assert event.model_dump() == {"amount_koinu": 150_000_000}
    assert Paid(amount_koinu=Koinu(5)).amount_koinu == 5
    assert Paid.model_json_schema()["properties"]["amount_koinu"]["type"] == "string"
    for bad in ('"1.5"', "1.5", "true", '"-1"', '" 1"'):
        with pytest.raises(pydantic.ValidationError):
            Paid.model_validate_json(f'{{"amount_koinu": {bad}}}')


def test_str_of_an_amount_is_its_digits() -> None:
    assert str(Koinu(700)) == "700"
    assert f"{Koinu(150_000_000)}" == "150000000"
    assert repr(Koinu(700)) == "Koinu(700)"
