"""Keyset ("cursor") pagination for DRF in the dBay list shape ``{"data": [...], "has_more": bool}``.

Clients pass the ``id`` of the last item they have as ``starting_after`` (next page) or of the first
as ``ending_before`` (previous page). The paginator looks that item up *within the view's queryset*
(so a cursor can never reveal anything about rows the caller may not list), reads its sort key and
seeks past it with a ``WHERE (a, b) < (x, y)``-style filter: stable under concurrent inserts and as
fast on page 1000 as on page 1 with an index on the ordering.

Configure per view with ``cursor_ordering`` (default ``("-pk",)``) and ``cursor_field`` (the model
field clients see as ``id``, default ``"pk"``). The last ordering field must be unique and no ordering
field may be NULL, or pages could skip or repeat rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, Q, QuerySet
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response

from dbay_common.errors import InvalidRequest
from dbay_common.pagination import DEFAULT_LIMIT, MAX_LIMIT, parse_page_params


def _split(ordering: Sequence[str]) -> list[tuple[str, bool]]:
    """``["-created_at", "pk"]`` → ``[("created_at", True), ("pk", False)]`` (name, is_descending)."""
    return [(field[1:], True) if field.startswith("-") else (field, False) for field in ordering]


def keyset_filter(ordering: Sequence[str], anchor: dict[str, Any], *, is_after: bool) -> Q:
    """The rows strictly after (or before) ``anchor`` in ``ordering``: a lexicographic comparison."""
    fields = _split(ordering)
    condition = Q()
    for index, (name, is_descending) in enumerate(fields):
        is_less = is_descending == is_after
        term = Q(**{f"{name}__{'lt' if is_less else 'gt'}": anchor[name]})
        for previous_name, _ in fields[:index]:
            term &= Q(**{previous_name: anchor[previous_name]})
        condition |= term
    return condition


class CursorPagination(BasePagination):
    """DRF paginator for ``limit`` / ``starting_after`` / ``ending_before`` (see the module docstring)."""

    ordering: Sequence[str] = ("-pk",)
    cursor_field: str = "pk"
    default_limit: int = DEFAULT_LIMIT
    max_limit: int = MAX_LIMIT

    has_more: bool = False

    def paginate_queryset(
        self, queryset: QuerySet[Any, Any] | Sequence[Any], request: Request, view: Any = None
    ) -> list[Any]:
        if not isinstance(queryset, QuerySet):
            raise TypeError("CursorPagination pages querysets (it seeks with a WHERE clause)")
        params = parse_page_params(
            request.query_params, default_limit=self.default_limit, max_limit=self.max_limit
        )
        ordering = tuple(getattr(view, "cursor_ordering", None) or self.ordering)
        cursor_field = getattr(view, "cursor_field", None) or self.cursor_field
        field_names = [name for name, _ in _split(ordering)]

        is_backwards = params.ending_before is not None
        anchor_id = params.ending_before if is_backwards else params.starting_after
        page = queryset
        if anchor_id is not None:
            param = "ending_before" if is_backwards else "starting_after"
            try:
                anchor = queryset.filter(**{cursor_field: anchor_id}).values(*field_names).first()
            except (DjangoValidationError, ValueError, TypeError):
                anchor = None  # e.g. "abc" for an integer or UUID id: no such item either way
            if anchor is None:
                raise InvalidRequest(
                    f"{param} must be the id of an item in this list.", code="invalid_cursor", param=param
                )
            page = page.filter(keyset_filter(ordering, anchor, is_after=not is_backwards))

        if is_backwards:
            # Walk backwards from the anchor to get the items closest to it, then restore the order.
            page = page.order_by(*[f"{name}" if desc else f"-{name}" for name, desc in _split(ordering)])
        else:
            page = page.order_by(*ordering)
        rows = list(page[: params.limit + 1])
        self.has_more = len(rows) > params.limit
        rows = rows[: params.limit]
        if is_backwards:
            rows.reverse()
        return rows

    def get_paginated_response(self, data: Any) -> Response:
        return Response({"data": data, "has_more": self.has_more})

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["data", "has_more"],
            "properties": {
                "data": schema,
                "has_more": {
                    "type": "boolean",
                    "description": "Whether more items exist beyond this page in the direction of travel.",
                },
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": "limit",
                "required": False,
                "in": "query",
                "description": f"Number of items to return (1 to {self.max_limit}).",
                "schema": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_limit,
                    "default": self.default_limit,
                },
            },
            {
                "name": "starting_after",
                "required": False,
                "in": "query",
                "description": "Return the items after the item with this id (next page).",
                "schema": {"type": "string", "minLength": 1},
            },
            {
                "name": "ending_before",
                "required": False,
                "in": "query",
                "description": "Return the items before the item with this id (previous page).",
                "schema": {"type": "string", "minLength": 1},
            },
        ]

    def get_results(self, data: dict[str, Any]) -> Any:
        return data["data"]


def paginated_response(
    *,
    queryset: QuerySet[Any],
    serializer_class: type[Any],
    request: Request,
    view: Any,
    pagination_class: type[CursorPagination] = CursorPagination,
) -> Response:
    """Paginate and serialise in one call, for plain ``APIView`` list endpoints (HackSoft style)."""
    paginator = pagination_class()
    page: list[Model] = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serializer_class(page, many=True).data)
