"""Public HTTP API of search-gateway under /api/v1/search.

Thin routes: parse input, call one function, render output.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Response, current_app, jsonify, request

from dbay_common.errors import InvalidRequest
from dbay_common.flask import Blueprint, ErrorResponseSchema, add_api_index, jwt_required, request_user_id
from search_gateway.cache import cache_key, cached
from search_gateway.query import filters_from_input, page_from_cursor
from search_gateway.schemas import (
    SavedSearchIn,
    SavedSearchListOut,
    SavedSearchOut,
    SearchArgs,
    SearchPageOut,
    SuggestArgs,
    SuggestOut,
    saved_search_list_response,
)
from search_gateway.selectors import listing_search, listing_suggest, saved_search_list
from search_gateway.services import saved_search_create, saved_search_delete
from search_gateway.store import search_index

API_PREFIX = "/api/v1/search"
#: Longest query string a search takes (bytes): every real search fits in far less.
MAX_QUERY_STRING_BYTES = 2048

blueprint = Blueprint("search", __name__, url_prefix=API_PREFIX, description="search-gateway public API")

# GET {API_PREFIX}: which service answers, its version, where its OpenAPI document and docs are (the
# platform's convention for every public path, checked by the contract and end-to-end tests); the
# search itself is GET {API_PREFIX}/listings.
add_api_index(blueprint, rule="")


@blueprint.before_request
def _refuse_long_query_strings() -> None:
    if len(request.query_string) > MAX_QUERY_STRING_BYTES:
        raise InvalidRequest(
            f"The search is too long (at most {MAX_QUERY_STRING_BYTES} bytes of parameters).",
            code="query_too_long",
        )


def _is_anonymous() -> bool:
    return not request.headers.get("Authorization")


def _answer(namespace: str, params: dict[str, Any], compute: Any) -> Response:
    """``compute()``, through the query cache for anonymous callers, as a JSON response.

    The selectors build the documented shape themselves (amounts already digit strings), so the body
    is sent as built: a schema dump of every result would cost more than the rest of the request.
    The schemas still document it, and the Schemathesis test checks every answer against them.
    """
    config = current_app.config
    if not _is_anonymous():
        return jsonify(compute())
    return jsonify(
        cached(
            address=config["MEMCACHED_ADDRESS"],
            ttl_s=config["SEARCH_CACHE_TTL_S"],
            key=cache_key(f"{config['ELASTICSEARCH_INDEX_PREFIX']}:{namespace}", params),
            compute=compute,
        )
    )


@blueprint.route("/listings", methods=["GET"])
@blueprint.arguments(SearchArgs, location="query", as_kwargs=True)
@blueprint.response(200, SearchPageOut)
def search_view(sort: str, limit: int, cursor: str | None = None, **filter_args: Any) -> Response:
    """Search active listings: text, filters, facets (first page), sorts, cursor paging.

    Pages follow `next_cursor` up to the first 10,000 results (400 `paging_too_deep` beyond).
    """
    filters = filters_from_input(filter_args)
    page = page_from_cursor(cursor, sort=sort, limit=limit)
    index = search_index(current_app.config)
    now = datetime.now(UTC).replace(microsecond=0)
    params = {"filters": filters.to_json(), "sort": sort, "limit": limit, "cursor": cursor}
    return _answer(
        "search",
        params,
        lambda: listing_search(index=index, filters=filters, sort=sort, limit=limit, page=page, now=now),
    )


@blueprint.route("/suggest", methods=["GET"])
@blueprint.arguments(SuggestArgs, location="query", as_kwargs=True)
@blueprint.response(200, SuggestOut)
def suggest_view(q: str) -> Response:
    """Search-box suggestions: listing titles and categories starting with the typed words."""
    words = " ".join(q.split())
    if not words:
        raise InvalidRequest("Type at least one letter.", code="invalid_field", param="q")
    index = search_index(current_app.config)
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    return _answer("suggest", {"q": words.lower()}, lambda: listing_suggest(index=index, q=words, now=now))


@blueprint.route("/saved", methods=["GET"])
@jwt_required()
@blueprint.response(200, SavedSearchListOut)
def saved_search_list_view() -> dict[str, Any]:
    """The signed-in user's saved searches, newest first."""
    items = saved_search_list(index=search_index(current_app.config), user_id=str(request_user_id()))
    return saved_search_list_response(items)


@blueprint.route("/saved", methods=["POST"])
@jwt_required()
@blueprint.arguments(SavedSearchIn)
@blueprint.response(201, SavedSearchOut)
@blueprint.alt_response(409, schema=ErrorResponseSchema, description="Too many saved searches.")
def saved_search_create_view(payload: dict[str, Any]) -> dict[str, Any]:
    """Save a search: the user is told (event `search.matched`) when a new listing matches it."""
    name = payload.pop("name").strip()
    if not name:
        raise InvalidRequest("Give the saved search a name.", code="invalid_field", param="name")
    return saved_search_create(
        index=search_index(current_app.config),
        user_id=str(request_user_id()),
        name=name,
        filters=filters_from_input(payload),
    )


@blueprint.route("/saved/<uuid:saved_search_id>", methods=["DELETE"])
@jwt_required()
@blueprint.response(204)
@blueprint.alt_response(404, schema=ErrorResponseSchema, description="No such saved search of yours.")
def saved_search_delete_view(saved_search_id: Any) -> None:
    """Delete one of your saved searches."""
    saved_search_delete(
        index=search_index(current_app.config),
        user_id=str(request_user_id()),
        saved_search_id=str(saved_search_id),
    )
