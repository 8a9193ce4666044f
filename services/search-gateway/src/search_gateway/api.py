"""Public HTTP API of search-gateway under /api/v1/search.

Thin routes: parse input, call one function, render output.
"""

from dbay_common.flask import Blueprint, add_api_index

API_PREFIX = "/api/v1/search"

blueprint = Blueprint("search", __name__, url_prefix=API_PREFIX, description="search-gateway public API")

# GET {API_PREFIX}: which service answers, its version, where its OpenAPI document and docs are.
add_api_index(blueprint, rule="")
