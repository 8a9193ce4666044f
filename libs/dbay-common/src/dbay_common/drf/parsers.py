"""The JSON parser every DRF view uses: depth-limited, never a 500 on hostile input."""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO, Any

from rest_framework import parsers

from dbay_common.request_body import parse_json_body

__all__ = ["JSONParser"]


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with :func:`dbay_common.request_body.parse_json_body` doing the decoding.

    Too-deep or malformed bodies raise :class:`~dbay_common.errors.InvalidRequest` (400 with the codes
    ``json_too_deep`` / ``invalid_json``); the size limit is Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE``,
    enforced before this runs (413).
    """

    def parse(
        self,
        stream: IO[Any] | None,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        raw = stream.read() if stream is not None else b""
        return parse_json_body(raw)
