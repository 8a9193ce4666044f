"""Public HTTP API of notification-service under /api/v1/notifications/.

Thin routes: parse input, call one function, render output.
"""

from dbay_common.flask import Blueprint, add_api_index

API_PREFIX = "/api/v1/notifications"

blueprint = Blueprint(
    "notifications", __name__, url_prefix=API_PREFIX, description="notification-service public API"
)

# GET {API_PREFIX}/: which service answers, its version, where its OpenAPI document and docs are.
add_api_index(blueprint)
