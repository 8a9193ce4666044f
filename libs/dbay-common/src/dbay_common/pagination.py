"""Cursor pagination primitives shared by the DRF paginator and the Flask services.

Lists are paged Stripe-style: ``limit`` (1..100, default 20) and at most one of ``starting_after`` /
``ending_before``, answered with ``{"data": [...], "has_more": bool}``. Cursors are positions, not
page numbers, so a page stays correct while rows are inserted ahead of it, and the database seeks to
the position through an index instead of counting an ``OFFSET``.

``starting_after`` / ``ending_before`` carry an opaque string: the ``id`` of the boundary item (the
DRF :class:`~dbay_common.drf.CursorPagination`), or, where an id cannot locate a position (search
results sorted by score), a cursor built with :func:`encode_cursor` and returned to the client by
the service. Opaque means clients must not parse them; encoding the sort key as base64 JSON is an
implementation detail that lets a service change its sort key without breaking clients' code.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from dbay_common.errors import InvalidRequest

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_CURSOR_LENGTH = 1024


@dataclass(frozen=True)
class PageParams:
    """Validated paging parameters of one list request."""

    limit: int = DEFAULT_LIMIT
    starting_after: str | None = None
    ending_before: str | None = None


def encode_cursor(position: Any) -> str:
    """Encode a JSON-serialisable sort position as an opaque, URL-safe string."""
    raw = json.dumps(position, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode_cursor(cursor: str, *, param: str = "starting_after") -> Any:
    """Decode a cursor made by :func:`encode_cursor`; a forged or truncated one is a 400 on ``param``."""
    if not isinstance(cursor, str) or not cursor or len(cursor) > MAX_CURSOR_LENGTH:
        raise InvalidRequest("Invalid cursor.", code="invalid_cursor", param=param)
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        return json.loads(raw.decode("utf-8"))
    except (binascii.Error, ValueError):
        raise InvalidRequest("Invalid cursor.", code="invalid_cursor", param=param) from None


def _parse_limit(raw: Any, *, default: int, max_limit: int) -> int:
    if raw is None or raw == "":
        return default
    text = str(raw)
    if not text.isascii() or not text.isdigit() or len(text) > 4:
        raise InvalidRequest(
            f"limit must be an integer between 1 and {max_limit}.", code="invalid_field", param="limit"
        )
    value = int(text)
    if not 1 <= value <= max_limit:
        raise InvalidRequest(
            f"limit must be an integer between 1 and {max_limit}.", code="invalid_field", param="limit"
        )
    return value


def _parse_position(params: Mapping[str, Any], name: str) -> str | None:
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    if not isinstance(raw, str) or len(raw) > MAX_CURSOR_LENGTH:
        raise InvalidRequest(f"{name} is not a valid cursor.", code="invalid_cursor", param=name)
    return raw


def parse_page_params(
    params: Mapping[str, Any], *, default_limit: int = DEFAULT_LIMIT, max_limit: int = MAX_LIMIT
) -> PageParams:
    """Validate ``limit`` / ``starting_after`` / ``ending_before`` from a query-string mapping.

    Works with Django's ``QueryDict``, Werkzeug's ``MultiDict`` or a plain dict (``.get`` returns the
    last/only value). Raises :class:`InvalidRequest` naming the parameter at fault.
    """
    limit = _parse_limit(params.get("limit"), default=default_limit, max_limit=max_limit)
    starting_after = _parse_position(params, "starting_after")
    ending_before = _parse_position(params, "ending_before")
    if starting_after is not None and ending_before is not None:
        raise InvalidRequest(
            "Give at most one of starting_after and ending_before.",
            code="invalid_field",
            param="ending_before",
        )
    return PageParams(limit=limit, starting_after=starting_after, ending_before=ending_before)


def page_response(items: Iterable[Any], has_more: bool) -> dict[str, Any]:
    """The list envelope: ``{"data": [...], "has_more": bool}``."""
    return {"data": list(items), "has_more": bool(has_more)}
