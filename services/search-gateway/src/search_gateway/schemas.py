"""Request and response schemas of the search API (marshmallow; they make the OpenAPI document)."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from webargs.fields import DelimitedList

from dbay_common.flask import KoinuField
from search_gateway.query import CONDITIONS, FORMATS, MAX_QUERY_CHARS, SORTS, STATUSES

DOGE_AMOUNT = r"^[0-9]{1,11}(\.[0-9]{1,8})?$"
ENDING_WITHIN = r"^(1h|1d|7d|[0-9]{1,5})$"
COUNTRY = r"^[A-Za-z]{2}$"
USERNAME = r"^[A-Za-z0-9_.-]{1,40}$"
CATEGORY = r"^[a-z0-9][a-z0-9._-]{0,199}$"


def _filter_fields(*, for_query: bool) -> dict[str, ma.fields.Field]:
    condition_item = ma.fields.String(validate=ma.validate.OneOf(CONDITIONS))
    conditions: ma.fields.Field = (
        DelimitedList(condition_item, validate=ma.validate.Length(max=len(CONDITIONS)))
        if for_query
        else ma.fields.List(condition_item, validate=ma.validate.Length(max=len(CONDITIONS)))
    )
    return {
        "q": ma.fields.String(
            validate=ma.validate.Length(max=MAX_QUERY_CHARS),
            metadata={"description": "Words to find (stemmed, accent-folded, typo-tolerant, synonyms)."},
        ),
        "category": ma.fields.String(
            validate=ma.validate.Regexp(CATEGORY),
            metadata={"description": "A category id: the category and everything under it."},
        ),
        "price_min": ma.fields.String(
            validate=ma.validate.Regexp(DOGE_AMOUNT),
            metadata={"description": "Lowest price in DOGE, e.g. 1.5."},
        ),
        "price_max": ma.fields.String(
            validate=ma.validate.Regexp(DOGE_AMOUNT), metadata={"description": "Highest price in DOGE."}
        ),
        "condition": conditions,
        "format": ma.fields.String(validate=ma.validate.OneOf(FORMATS)),
        "ending_within": ma.fields.String(
            validate=ma.validate.Regexp(ENDING_WITHIN),
            metadata={"description": "1h, 1d, 7d, or a number of minutes (at most 43200)."},
        ),
        "seller": ma.fields.String(
            validate=ma.validate.Regexp(USERNAME), metadata={"description": "Username."}
        ),
        "ships_to": ma.fields.String(
            validate=ma.validate.Regexp(COUNTRY),
            metadata={"description": "Country code; listings shipping worldwide match every country."},
        ),
        "location_country": ma.fields.String(validate=ma.validate.Regexp(COUNTRY)),
        "buy_it_now": ma.fields.Boolean(),
        "status": ma.fields.String(
            validate=ma.validate.OneOf(STATUSES),
            metadata={"description": "active (default: started, not ended), ended or sold."},
        ),
    }


FilterQueryArgs = ma.Schema.from_dict(_filter_fields(for_query=True), name="SearchFilterQueryArgs")


class SearchArgs(FilterQueryArgs):  # type: ignore[misc,valid-type]
    class Meta:
        unknown = ma.EXCLUDE

    sort = ma.fields.String(validate=ma.validate.OneOf(tuple(SORTS)), load_default="best_match")
    limit = ma.fields.Integer(validate=ma.validate.Range(min=1, max=100), load_default=20)
    cursor = ma.fields.String(
        validate=ma.validate.Length(max=1024), metadata={"description": "next_cursor of the previous page."}
    )


class SuggestArgs(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    q = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=MAX_QUERY_CHARS))


class LocationOut(ma.Schema):
    country = ma.fields.String(allow_none=True)
    city = ma.fields.String(allow_none=True)


class SearchResultOut(ma.Schema):
    listing_id = ma.fields.String()
    status = ma.fields.String()
    title = ma.fields.String()
    title_html = ma.fields.String(
        metadata={"description": "The title, HTML-escaped, with matched words in <mark>...</mark>."}
    )
    description_html = ma.fields.String(
        metadata={"description": "A snippet of the description, HTML-escaped, matches in <mark>."}
    )
    seller_username = ma.fields.String()
    category_id = ma.fields.String(allow_none=True)
    category_path = ma.fields.List(ma.fields.String())
    category_names = ma.fields.List(ma.fields.String())
    condition = ma.fields.String(allow_none=True)
    format = ma.fields.String(allow_none=True)
    price_koinu = KoinuField(
        allow_none=True,
        metadata={
            "description": "The price now: an auction's current price (its start price before any bid)."
        },
    )
    buy_it_now_koinu = KoinuField(allow_none=True)
    has_buy_it_now = ma.fields.Boolean()
    has_reserve = ma.fields.Boolean()
    bid_count = ma.fields.Integer()
    lowest_shipping_koinu = KoinuField(allow_none=True)
    total_koinu = KoinuField(allow_none=True, metadata={"description": "Price plus the cheapest shipping."})
    local_pickup = ma.fields.Boolean()
    location = ma.fields.Nested(LocationOut)
    thumbnail_url = ma.fields.String(allow_none=True)
    starts_at = ma.fields.String(allow_none=True)
    ends_at = ma.fields.String(allow_none=True)
    published_at = ma.fields.String(allow_none=True)


class CategoryCountOut(ma.Schema):
    id = ma.fields.String()
    name = ma.fields.String()
    count = ma.fields.Integer()


class ValueCountOut(ma.Schema):
    value = ma.fields.String()
    count = ma.fields.Integer()


class PriceBandOut(ma.Schema):
    key = ma.fields.String()
    min_koinu = KoinuField(allow_none=True)
    max_koinu = KoinuField(allow_none=True, metadata={"description": "Exclusive upper bound."})
    count = ma.fields.Integer()


class CountOut(ma.Schema):
    count = ma.fields.Integer()


class FacetsOut(ma.Schema):
    categories = ma.fields.List(ma.fields.Nested(CategoryCountOut))
    conditions = ma.fields.List(ma.fields.Nested(ValueCountOut))
    formats = ma.fields.List(ma.fields.Nested(ValueCountOut))
    price_bands = ma.fields.List(ma.fields.Nested(PriceBandOut))
    buy_it_now = ma.fields.Nested(CountOut)


class SearchPageOut(ma.Schema):
    data = ma.fields.List(ma.fields.Nested(SearchResultOut))
    has_more = ma.fields.Boolean()
    next_cursor = ma.fields.String(allow_none=True)
    total = ma.fields.Integer(metadata={"description": "Every listing that matches."})
    facets = ma.fields.Nested(FacetsOut, allow_none=True, metadata={"description": "First page only."})


class SuggestOut(ma.Schema):
    titles = ma.fields.List(ma.fields.String())
    categories = ma.fields.List(ma.fields.Nested(CategoryCountOut))


class SavedSearchIn(ma.Schema.from_dict(_filter_fields(for_query=False))):  # type: ignore[misc]
    class Meta:
        unknown = ma.RAISE

    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=100))


class SavedSearchFiltersOut(ma.Schema):
    q = ma.fields.String()
    category = ma.fields.String()
    price_min_koinu = KoinuField()
    price_max_koinu = KoinuField()
    conditions = ma.fields.List(ma.fields.String())
    format = ma.fields.String()
    ending_within_minutes = ma.fields.Integer()
    seller = ma.fields.String()
    ships_to = ma.fields.String()
    location_country = ma.fields.String()
    buy_it_now = ma.fields.Boolean()
    status = ma.fields.String()


class SavedSearchOut(ma.Schema):
    id = ma.fields.String(attribute="saved_search_id")
    name = ma.fields.String()
    filters = ma.fields.Nested(SavedSearchFiltersOut, attribute="params")
    created_at = ma.fields.String()


class SavedSearchListOut(ma.Schema):
    data = ma.fields.List(ma.fields.Nested(SavedSearchOut))
    has_more = ma.fields.Boolean()


def saved_search_list_response(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"data": items, "has_more": False}
