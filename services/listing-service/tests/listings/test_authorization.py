"""Who may call what: every listing endpoint by caller (the seller, another member, nobody, staff) → status.

Each cell starts from a fresh listing in the state the row names, so one caller's success never
changes what the next caller meets.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

pytestmark = pytest.mark.django_db

BASE = "/api/v1/listings/"
CALLERS = ("seller", "other", "anonymous", "staff")

# (method, path with {id}/{seller}, state of the listing, body, {caller: status})
MATRIX: list[tuple[str, str, str, Any, dict[str, int]]] = [
    ("GET", "categories", "active", None, dict.fromkeys(CALLERS, 200)),
    ("GET", "fees", "active", None, dict.fromkeys(CALLERS, 200)),
    ("GET", "feed", "active", None, dict.fromkeys(CALLERS, 200)),
    (
        "POST",
        "drafts",
        "active",
        {"title": "New"},
        {"seller": 201, "other": 201, "anonymous": 401, "staff": 201},
    ),
    ("GET", "mine", "active", None, {"seller": 200, "other": 200, "anonymous": 401, "staff": 200}),
    ("GET", "watchlist", "active", None, {"seller": 200, "other": 200, "anonymous": 401, "staff": 200}),
    ("GET", "sellers/{seller}", "active", None, dict.fromkeys(CALLERS, 200)),
    ("GET", "{id}", "active", None, dict.fromkeys(CALLERS, 200)),
    ("GET", "{id}", "draft", None, {"seller": 200, "other": 404, "anonymous": 404, "staff": 404}),
    ("GET", "{id}", "withdrawn", None, {"seller": 200, "other": 404, "anonymous": 404, "staff": 200}),
    ("GET", "{id}", "cancelled", None, {"seller": 200, "other": 404, "anonymous": 404, "staff": 200}),
    (
        "PATCH",
        "{id}",
        "active",
        {"title": "Edited"},
        {"seller": 200, "other": 403, "anonymous": 401, "staff": 403},
    ),
    (
        "PATCH",
        "{id}",
        "draft",
        {"title": "Edited"},
        {"seller": 200, "other": 404, "anonymous": 401, "staff": 404},
    ),
    ("POST", "{id}/publish", "draft", None, {"seller": 200, "other": 404, "anonymous": 401, "staff": 404}),
    ("POST", "{id}/end", "active", None, {"seller": 200, "other": 403, "anonymous": 401, "staff": 403}),
    ("POST", "{id}/cancel", "draft", None, {"seller": 200, "other": 404, "anonymous": 401, "staff": 404}),
    ("POST", "{id}/cancel", "scheduled", None, {"seller": 200, "other": 403, "anonymous": 401, "staff": 403}),
    (
        "POST",
        "{id}/withdraw",
        "active",
        {"reason": "Counterfeit"},
        {"seller": 403, "other": 403, "anonymous": 401, "staff": 200},
    ),
    ("PUT", "{id}/watch", "active", None, {"seller": 403, "other": 200, "anonymous": 401, "staff": 200}),
    ("PUT", "{id}/watch", "draft", None, {"seller": 403, "other": 404, "anonymous": 401, "staff": 404}),
    ("DELETE", "{id}/watch", "active", None, {"seller": 204, "other": 204, "anonymous": 401, "staff": 204}),
]


def _listing_in(state: str, make_listing: Any, seller_id: uuid.UUID) -> Any:
    from datetime import timedelta

    from django.utils import timezone

    from listing_service.listings import services

    if state == "draft":
        return make_listing(publish=False)
    if state == "scheduled":
        return make_listing(scheduled_start_at=timezone.now() + timedelta(days=1))
    listing = make_listing()
    if state == "withdrawn":
        services.listing_withdraw(listing_id=listing.id, staff_id=uuid.uuid4(), reason="Replica")
    elif state == "cancelled":
        draft = make_listing(publish=False)
        return services.listing_cancel(listing_id=draft.id, seller_id=seller_id)
    return listing


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize(
    ("method", "path", "state", "body", "expected"),
    MATRIX,
    ids=[f"{method} {path} ({state})" for method, path, state, _, _ in MATRIX],
)
def test_authorization_matrix(api, make_listing, seller_id, caller, method, path, state, body, expected):
    listing = _listing_in(state, make_listing, seller_id)
    user, roles = {
        "seller": (seller_id, None),
        "other": (uuid.uuid4(), None),
        "anonymous": (None, None),
        "staff": (uuid.uuid4(), ["buyer", "seller", "staff"]),
    }[caller]

    response = api.call(
        method, BASE + path.format(id=listing.id, seller=seller_id), user=user, roles=roles, body=body
    )

    assert response.status_code == expected[caller], response.content
    if response.status_code >= 400:
        assert set(response.json()["error"]) >= {"type", "code", "message"}
