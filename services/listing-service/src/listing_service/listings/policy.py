"""The rules of a listing's fields, as pure functions (docs/listing-rules.md says them in words).

``listing_fields_clean`` checks the values a seller writes (create or update) one by one;
``listing_prices_check`` the rules between prices; ``listing_missing_for_publish`` what a draft
still lacks; ``listing_times_plan`` when a listing being published starts and ends. Every refusal is
an ``InvalidRequest`` naming the field (``param``) with a code a client can branch on.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from dbay_common.errors import InvalidRequest
from listing_service.listings.models import (
    DESCRIPTION_MAX_LENGTH,
    DURATION_DAYS,
    TITLE_MAX_LENGTH,
    ListingCondition,
    ListingFormat,
)

PRICE_MAX_KOINU = 10**17  # one billion DOGE
QUANTITY_MAX = 10_000
ITEM_SPECIFICS_MAX = 30
SPECIFIC_NAME_MAX_LENGTH = 40
SPECIFIC_VALUE_MAX_LENGTH = 100
SHIPPING_OPTIONS_MAX = 10
SHIPPING_SERVICE_MAX_LENGTH = 60
SHIPS_TO_MAX = 50
WORLDWIDE = "WORLDWIDE"
POSTAL_CODE_MAX_LENGTH = 16
CITY_MAX_LENGTH = 80
SCHEDULE_AHEAD_MAX = timedelta(days=30)
END_TIME_MIN = timedelta(hours=1)
AUCTION_LENGTH_MAX = timedelta(days=10)
FIXED_PRICE_LENGTH_MAX = timedelta(days=30)

COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_BREAK_RE = re.compile(r"[\r\n\t]")

#: Fields a seller writes, in the API's names.
EDITABLE_FIELDS = (
    "title",
    "description",
    "category_id",
    "condition",
    "item_specifics",
    "format",
    "start_price_koinu",
    "reserve_price_koinu",
    "buy_it_now_koinu",
    "price_koinu",
    "quantity",
    "duration_days",
    "end_time",
    "scheduled_start_at",
    "shipping_options",
    "local_pickup",
    "location",
)
AUCTION_PRICE_FIELDS = ("start_price_koinu", "reserve_price_koinu", "buy_it_now_koinu")
NULLABLE_FIELDS = frozenset(
    {
        "category_id",
        *AUCTION_PRICE_FIELDS,
        "price_koinu",
        "duration_days",
        "end_time",
        "scheduled_start_at",
    }
)
# API name -> model column, where they differ.
COLUMN_OF = {"end_time": "requested_ends_at"}
FIELD_OF_COLUMN = {column: field for field, column in COLUMN_OF.items()}

# What publishing needs, in the order a seller is told.
PUBLISH_REQUIREMENTS = (
    ("title", "a title"),
    ("description", "a description"),
    ("category_id", "a category"),
    ("condition", "the item's condition"),
    ("price", "a price"),
    ("duration_days", "a duration or an end time"),
    ("shipping_options", "a shipping option or local pickup"),
    ("location", "the item's location (country and city or postal code)"),
)


def _invalid(message: str, *, param: str, code: str = "invalid_field") -> InvalidRequest:
    return InvalidRequest(message, code=code, param=param)


def _single_line(value: Any, *, param: str, max_length: int, label: str, allow_blank: bool = True) -> str:
    if not isinstance(value, str):
        raise _invalid(f"{label} must be text.", param=param)
    text = " ".join(value.split())
    if _CONTROL_RE.search(text):
        raise _invalid(f"{label} must not contain control characters.", param=param)
    if len(text) > max_length:
        raise _invalid(f"{label} must be at most {max_length} characters.", param=param)
    if not allow_blank and not text:
        raise _invalid(f"{label} must not be empty.", param=param)
    return text


def _description(value: Any) -> str:
    if not isinstance(value, str):
        raise _invalid("The description must be text.", param="description")
    text = value.replace("\r\n", "\n").strip()
    if _CONTROL_RE.search(text):
        raise _invalid("The description must not contain control characters.", param="description")
    if len(text) > DESCRIPTION_MAX_LENGTH:
        raise _invalid(
            f"The description must be at most {DESCRIPTION_MAX_LENGTH} characters.", param="description"
        )
    return text


def _amount(value: Any, *, param: str, allow_zero: bool = False) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _invalid("The amount must be a whole number of koinu.", param=param, code="invalid_amount")
    lowest = 0 if allow_zero else 1
    if not lowest <= value <= PRICE_MAX_KOINU:
        bound = "zero or more" if allow_zero else "more than zero"
        raise _invalid(
            f"The amount must be {bound} and at most 1,000,000,000 DOGE.", param=param, code="invalid_amount"
        )
    return int(value)


def _aware(value: Any, *, param: str) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise _invalid("The time must be a date and time with a time zone.", param=param)
    return value


def _item_specifics(value: Any) -> list[dict[str, str]]:
    if not isinstance(value, list):
        raise _invalid("Item specifics must be a list of name and value pairs.", param="item_specifics")
    if len(value) > ITEM_SPECIFICS_MAX:
        raise _invalid(f"A listing has at most {ITEM_SPECIFICS_MAX} item specifics.", param="item_specifics")
    cleaned: list[dict[str, str]] = []
    seen: set[str] = set()
    for entry in value:
        if not isinstance(entry, Mapping) or set(entry) != {"name", "value"}:
            raise _invalid("Each item specific has a name and a value.", param="item_specifics")
        name = _single_line(
            entry["name"],
            param="item_specifics",
            max_length=SPECIFIC_NAME_MAX_LENGTH,
            label="A specific's name",
            allow_blank=False,
        )
        specific_value = _single_line(
            entry["value"],
            param="item_specifics",
            max_length=SPECIFIC_VALUE_MAX_LENGTH,
            label="A specific's value",
            allow_blank=False,
        )
        if name.casefold() in seen:
            raise _invalid(f"The item specific {name!r} is given twice.", param="item_specifics")
        seen.add(name.casefold())
        cleaned.append({"name": name, "value": specific_value})
    return cleaned


def _shipping_options(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise _invalid("Shipping options must be a list.", param="shipping_options")
    if len(value) > SHIPPING_OPTIONS_MAX:
        raise _invalid(
            f"A listing has at most {SHIPPING_OPTIONS_MAX} shipping options.", param="shipping_options"
        )
    cleaned: list[dict[str, Any]] = []
    for entry in value:
        if not isinstance(entry, Mapping) or set(entry) != {"service", "price_koinu", "ships_to"}:
            raise _invalid(
                "Each shipping option has a service, a price and where it ships to.", param="shipping_options"
            )
        service = _single_line(
            entry["service"],
            param="shipping_options",
            max_length=SHIPPING_SERVICE_MAX_LENGTH,
            label="The shipping service",
            allow_blank=False,
        )
        price = _amount(entry["price_koinu"], param="shipping_options", allow_zero=True)
        ships_to = entry["ships_to"]
        if not isinstance(ships_to, list) or not 1 <= len(ships_to) <= SHIPS_TO_MAX:
            raise _invalid(
                f"Say where each option ships to: 1 to {SHIPS_TO_MAX} country codes, or WORLDWIDE.",
                param="shipping_options",
            )
        codes = [code.upper() if isinstance(code, str) else code for code in ships_to]
        if codes != [WORLDWIDE] and not all(isinstance(c, str) and COUNTRY_RE.match(c) for c in codes):
            raise _invalid(
                "Ships-to must be two-letter country codes (ISO 3166-1), or WORLDWIDE alone.",
                param="shipping_options",
            )
        if len(set(codes)) != len(codes):
            raise _invalid("A country is listed twice in ships-to.", param="shipping_options")
        cleaned.append({"service": service, "price_koinu": price, "ships_to": codes})
    return cleaned


def _location(value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping) or not set(value) <= {"country", "postal_code", "city"}:
        raise _invalid("The location has a country, a postal code and a city.", param="location")
    country = value.get("country", "")
    if not isinstance(country, str) or (country and not COUNTRY_RE.match(country.upper())):
        raise _invalid("The country must be a two-letter code (ISO 3166-1).", param="location")
    return {
        "country": country.upper(),
        "postal_code": _single_line(
            value.get("postal_code", ""),
            param="location",
            max_length=POSTAL_CODE_MAX_LENGTH,
            label="The postal code",
        ),
        "city": _single_line(
            value.get("city", ""), param="location", max_length=CITY_MAX_LENGTH, label="The city"
        ),
    }


def listing_fields_clean(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Check and normalise the fields a seller writes (API names), one by one.

    Unknown names, ``None`` where a field cannot be empty, wrong types and values out of range are
    refused. Returns the cleaned values (text trimmed, country codes upper-cased).
    """
    unknown = sorted(set(fields) - set(EDITABLE_FIELDS))
    if unknown:
        raise _invalid(f"Unknown field: {unknown[0]}.", param=unknown[0])
    cleaned: dict[str, Any] = {}
    for name, value in fields.items():
        if value is None:
            if name not in NULLABLE_FIELDS:
                raise _invalid(f"{name} cannot be empty.", param=name)
            cleaned[name] = None
            continue
        if name == "title":
            cleaned[name] = _single_line(value, param=name, max_length=TITLE_MAX_LENGTH, label="The title")
        elif name == "description":
            cleaned[name] = _description(value)
        elif name == "category_id":
            if not isinstance(value, str) or not value:
                raise _invalid("The category must be a category id.", param=name, code="unknown_category")
            cleaned[name] = value
        elif name == "condition":
            if value not in ListingCondition.values and value != "":
                raise _invalid("Unknown condition.", param=name)
            cleaned[name] = value
        elif name == "item_specifics":
            cleaned[name] = _item_specifics(value)
        elif name == "format":
            if value not in ListingFormat.values:
                raise _invalid("The format is auction or fixed_price.", param=name)
            cleaned[name] = value
        elif name in (*AUCTION_PRICE_FIELDS, "price_koinu"):
            cleaned[name] = _amount(value, param=name)
        elif name == "quantity":
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= QUANTITY_MAX:
                raise _invalid(f"The quantity must be between 1 and {QUANTITY_MAX}.", param=name)
            cleaned[name] = value
        elif name == "duration_days":
            if value not in DURATION_DAYS or isinstance(value, bool):
                raise _invalid("The duration is 1, 3, 5, 7 or 10 days.", param=name)
            cleaned[name] = value
        elif name in ("end_time", "scheduled_start_at"):
            cleaned[name] = _aware(value, param=name)
        elif name == "shipping_options":
            cleaned[name] = _shipping_options(value)
        elif name == "local_pickup":
            if not isinstance(value, bool):
                raise _invalid("local_pickup is true or false.", param=name)
            cleaned[name] = value
        elif name == "location":
            cleaned[name] = _location(value)
    if cleaned.get("duration_days") is not None and cleaned.get("end_time") is not None:
        raise _invalid(
            "Give a duration or an end time, not both.", param="end_time", code="duration_and_end_time"
        )
    return cleaned


def listing_prices_check(
    *,
    format: str,
    start_price_koinu: int | None,
    reserve_price_koinu: int | None,
    buy_it_now_koinu: int | None,
    price_koinu: int | None,
    quantity: int,
) -> None:
    """The rules between prices: reserve ≥ start price; Buy It Now ≥ start price and ≥ reserve;
    auction-only prices only on auctions, a fixed price only on fixed-price listings; auctions sell one."""
    if format == ListingFormat.AUCTION:
        if price_koinu is not None:
            raise _invalid(
                "An auction has a start price, not a fixed price.",
                param="price_koinu",
                code="field_not_for_format",
            )
        if quantity != 1:
            raise _invalid(
                "An auction sells exactly one item.", param="quantity", code="field_not_for_format"
            )
        if (
            reserve_price_koinu is not None
            and start_price_koinu is not None
            and reserve_price_koinu < start_price_koinu
        ):
            raise _invalid(
                "The reserve price must be at least the start price.",
                param="reserve_price_koinu",
                code="reserve_below_start_price",
            )
        if buy_it_now_koinu is not None:
            if start_price_koinu is not None and buy_it_now_koinu < start_price_koinu:
                raise _invalid(
                    "The Buy It Now price must be at least the start price.",
                    param="buy_it_now_koinu",
                    code="buy_it_now_below_start_price",
                )
            if reserve_price_koinu is not None and buy_it_now_koinu < reserve_price_koinu:
                raise _invalid(
                    "The Buy It Now price must be at least the reserve price.",
                    param="buy_it_now_koinu",
                    code="buy_it_now_below_reserve",
                )
    else:
        for name, value in (
            ("start_price_koinu", start_price_koinu),
            ("reserve_price_koinu", reserve_price_koinu),
            ("buy_it_now_koinu", buy_it_now_koinu),
        ):
            if value is not None:
                raise _invalid(
                    "A fixed-price listing has a price, not auction prices.",
                    param=name,
                    code="field_not_for_format",
                )


@dataclass(frozen=True)
class ListingTimes:
    starts_at: datetime
    ends_at: datetime | None
    is_scheduled: bool


def listing_times_plan(
    *,
    format: str,
    duration_days: int | None,
    requested_ends_at: datetime | None,
    scheduled_start_at: datetime | None,
    now: datetime,
) -> ListingTimes:
    """When a listing published ``now`` starts and ends.

    A scheduled start must be in the future and at most 30 days ahead. The end is the start plus the
    duration, or the requested end time: at least 1 hour after the start, and at most 10 days after
    it for an auction (30 for fixed price). A fixed-price listing with neither has no end.
    """
    if scheduled_start_at is not None:
        if scheduled_start_at <= now:
            raise _invalid(
                "The scheduled start must be in the future.",
                param="scheduled_start_at",
                code="scheduled_start_in_past",
            )
        if scheduled_start_at > now + SCHEDULE_AHEAD_MAX:
            raise _invalid(
                "The scheduled start must be within 30 days.",
                param="scheduled_start_at",
                code="scheduled_start_too_far",
            )
    starts_at = scheduled_start_at or now
    ends_at: datetime | None = None
    if duration_days is not None:
        ends_at = starts_at + timedelta(days=duration_days)
    elif requested_ends_at is not None:
        longest = AUCTION_LENGTH_MAX if format == ListingFormat.AUCTION else FIXED_PRICE_LENGTH_MAX
        if requested_ends_at < starts_at + END_TIME_MIN:
            raise _invalid(
                "The end time must be at least 1 hour after the start.",
                param="end_time",
                code="end_time_too_soon",
            )
        if requested_ends_at > starts_at + longest:
            days = longest.days
            raise _invalid(
                f"The end time must be at most {days} days after the start.",
                param="end_time",
                code="end_time_too_late",
            )
        ends_at = requested_ends_at
    elif format == ListingFormat.AUCTION:
        raise _invalid(
            "An auction needs a duration or an end time.", param="duration_days", code="listing_incomplete"
        )
    return ListingTimes(starts_at=starts_at, ends_at=ends_at, is_scheduled=scheduled_start_at is not None)


def listing_missing_for_publish(listing: Any) -> list[str]:
    """The requirements (``PUBLISH_REQUIREMENTS`` keys) a listing does not meet yet, in order."""
    missing: list[str] = []
    is_auction = listing.format == ListingFormat.AUCTION
    checks = {
        "title": bool(listing.title),
        "description": bool(listing.description),
        "category_id": listing.category_id is not None,
        "condition": bool(listing.condition),
        "price": (listing.start_price_koinu if is_auction else listing.price_koinu) is not None,
        "duration_days": not is_auction
        or listing.duration_days is not None
        or listing.requested_ends_at is not None,
        "shipping_options": bool(listing.shipping_options) or bool(listing.local_pickup),
        "location": bool(listing.location_country)
        and bool(listing.location_city or listing.location_postal_code),
    }
    for key, _ in PUBLISH_REQUIREMENTS:
        if not checks[key]:
            missing.append(key)
    return missing


def listing_incomplete_error(missing: list[str], *, format: str) -> InvalidRequest:
    """400 ``listing_incomplete``: what the listing still needs, in words; ``param`` the first field."""
    words = dict(PUBLISH_REQUIREMENTS)
    listed = ", ".join(words[key] for key in missing)
    price_field = "start_price_koinu" if format == ListingFormat.AUCTION else "price_koinu"
    param = price_field if missing[0] == "price" else missing[0]
    return InvalidRequest(
        f"The listing cannot be published yet. It still needs {listed}.",
        code="listing_incomplete",
        param=param,
    )


def listing_field_required_error(missing: list[str], *, format: str) -> InvalidRequest:
    """400 ``field_required``: an edit would leave a published listing without something it needs."""
    words = dict(PUBLISH_REQUIREMENTS)
    price_field = "start_price_koinu" if format == ListingFormat.AUCTION else "price_koinu"
    param = price_field if missing[0] == "price" else missing[0]
    return InvalidRequest(
        f"A published listing must keep {words[missing[0]]}.", code="field_required", param=param
    )
