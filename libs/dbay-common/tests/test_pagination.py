"""Cursor pagination: parameter parsing, cursors, and the DRF keyset paginator on PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from dbay_common.errors import InvalidRequest
from dbay_common.pagination import PageParams, decode_cursor, encode_cursor, page_response, parse_page_params
from tests.testapp.models import Item


def test_defaults() -> None:
    assert parse_page_params({}) == PageParams(limit=20, starting_after=None, ending_before=None)
    assert parse_page_params({"limit": "", "starting_after": ""}) == PageParams()


def test_valid_params() -> None:
    assert parse_page_params({"limit": "1", "starting_after": "abc"}) == PageParams(1, "abc", None)
    assert parse_page_params({"limit": "100", "ending_before": "x"}) == PageParams(100, None, "x")


@pytest.mark.parametrize("limit", ["0", "101", "-1", "1.5", "abc", " 5", "\uff11", "99999"])
def test_bad_limit(limit: str) -> None:
    with pytest.raises(InvalidRequest) as raised:
        parse_page_params({"limit": limit})
    assert raised.value.to_body() == {
        "error": {
            "type": "invalid_request",
            "code": "invalid_field",
            "message": "limit must be an integer between 1 and 100.",
            "param": "limit",
        }
    }


def test_both_directions_rejected() -> None:
    with pytest.raises(InvalidRequest) as raised:
        parse_page_params({"starting_after": "a", "ending_before": "b"})
    assert raised.value.param == "ending_before"


def test_cursor_too_long() -> None:
    with pytest.raises(InvalidRequest) as raised:
        parse_page_params({"starting_after": "a" * 1025})
    assert (raised.value.code, raised.value.param) == ("invalid_cursor", "starting_after")


def test_cursor_round_trip() -> None:
    position = {"score": 1.5, "id": "lst_1", "ts": "2026-01-01T00:00:00Z"}
    cursor = encode_cursor(position)
    assert "=" not in cursor and "+" not in cursor and "/" not in cursor
    assert decode_cursor(cursor) == position


@pytest.mark.parametrize("cursor", ["", "!!!", "bm90IGpzb24", "a" * 2000])
def test_bad_cursor(cursor: str) -> None:
    with pytest.raises(InvalidRequest) as raised:
        decode_cursor(cursor, param="ending_before")
    assert (raised.value.code, raised.value.param) == ("invalid_cursor", "ending_before")


def test_page_response() -> None:
    assert page_response(iter([1, 2]), has_more=1) == {"data": [1, 2], "has_more": True}  # type: ignore[arg-type]


# -- DRF CursorPagination ------------------------------------------------------------------------


@pytest.fixture
def items(db: None) -> list[Item]:
    # ranks with duplicates so the id tie-breaker matters; ordering is (-rank, -id)
    ranks = [5, 3, 5, 1, 3, 5, 2]
    return [Item.objects.create(name=f"item{index}", rank=rank) for index, rank in enumerate(ranks)]


def ordered_names(items: list[Item]) -> list[str]:
    return [item.name for item in sorted(items, key=lambda item: (-item.rank, -item.id))]


def get(client: Client, **params: Any) -> tuple[int, Any]:
    response = client.get("/api/items", params)
    return response.status_code, response.json()


def test_walk_forward_and_back(client: Client, items: list[Item]) -> None:
    expected = ordered_names(items)  # item5 item2 item0 item4 item1 item6 item3
    status, page1 = get(client, limit=3)
    assert status == 200
    assert [row["name"] for row in page1["data"]] == expected[:3]
    assert page1["has_more"] is True
    assert set(page1) == {"data", "has_more"}

    status, page2 = get(client, limit=3, starting_after=page1["data"][-1]["id"])
    assert [row["name"] for row in page2["data"]] == expected[3:6]
    assert page2["has_more"] is True

    status, page3 = get(client, limit=3, starting_after=page2["data"][-1]["id"])
    assert [row["name"] for row in page3["data"]] == expected[6:]
    assert page3["has_more"] is False

    status, back = get(client, limit=3, ending_before=page3["data"][0]["id"])
    assert [row["name"] for row in back["data"]] == expected[3:6]
    assert back["has_more"] is True

    status, first = get(client, limit=3, ending_before=page2["data"][0]["id"])
    assert [row["name"] for row in first["data"]] == expected[:3]
    assert first["has_more"] is False


def test_default_limit_returns_everything_small(client: Client, items: list[Item]) -> None:
    status, page = get(client)
    assert status == 200
    assert [row["name"] for row in page["data"]] == ordered_names(items)
    assert page["has_more"] is False


@pytest.mark.parametrize("cursor", ["999999", "not-a-number", "-1"])
def test_unknown_cursor_is_400(client: Client, items: list[Item], cursor: str) -> None:
    status, body = get(client, starting_after=cursor)
    assert status == 400
    assert body == {
        "error": {
            "type": "invalid_request",
            "code": "invalid_cursor",
            "message": "starting_after must be the id of an item in this list.",
            "param": "starting_after",
        }
    }


def test_bad_limit_is_400(client: Client, items: list[Item]) -> None:
    status, body = get(client, limit="500")
    assert status == 400
    assert body["error"]["param"] == "limit"


def test_openapi_schema_describes_the_envelope() -> None:
    from dbay_common.drf.pagination import CursorPagination

    paginator = CursorPagination()
    schema = paginator.get_paginated_response_schema({"type": "array"})
    assert schema["required"] == ["data", "has_more"]
    assert schema["properties"]["data"] == {"type": "array"}
    assert [p["name"] for p in paginator.get_schema_operation_parameters(None)] == [
        "limit",
        "starting_after",
        "ending_before",
    ]
