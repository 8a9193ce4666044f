"""Request bodies every service accepts: size and nesting limits, and what makes two bodies "the same".

Limits (documented in docs/architecture.md, "Conventions"):

- A body larger than ``MAX_REQUEST_BODY_BYTES`` (environment, default 1 MiB) is refused with 413
  ``request_too_large`` before it is read. File uploads, when a service has them, set their own
  larger limit on their own route.
- A JSON body nested deeper than :data:`MAX_JSON_DEPTH` levels is refused with 400
  ``json_too_deep``. Without the limit, ``[[[[...]]]]`` 50,000 levels deep makes Python's decoder
  raise ``RecursionError``, which every framework turns into a 500 (and a deep-but-decodable body
  can still exhaust the stack later, in a serializer or a log call). No dBay request needs more
  than a handful of levels.

Sameness: the Idempotency-Key compares requests by :func:`body_fingerprint`, which reads a JSON
body as data (key order and whitespace do not matter), so a client that re-serialises the same
request on retry is recognised as retrying, not as reusing the key for another request.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from dbay_common.errors import ApiError, InvalidRequest, ServiceUnavailable
from dbay_common.settings import env_int

__all__ = [
    "MAX_JSON_DEPTH",
    "STORE_RETRY_AFTER_S",
    "JsonTooDeep",
    "RequestTooLarge",
    "StoreUnavailable",
    "body_fingerprint",
    "json_depth_exceeds",
    "max_request_body_bytes",
    "parse_json_body",
]

#: Deepest nesting of arrays and objects a JSON body may have.
MAX_JSON_DEPTH = 32
DEFAULT_MAX_REQUEST_BODY_BYTES = 1024 * 1024


class JsonTooDeep(InvalidRequest):
    default_code = "json_too_deep"
    default_message = f"The request body is nested more than {MAX_JSON_DEPTH} levels deep."


class RequestTooLarge(ApiError):  # noqa: N818 - an ApiError, named like its siblings
    default_status = 413
    default_type = "invalid_request"
    default_code = "request_too_large"
    default_message = "The request body is too large."

    @classmethod
    def for_limit(cls, limit_bytes: int) -> RequestTooLarge:
        return cls(f"The request body is larger than the limit of {limit_bytes} bytes.")


#: What a client is told to wait when a store is down (PostgreSQL restarting takes seconds).
STORE_RETRY_AFTER_S = 5


class StoreUnavailable(ServiceUnavailable):
    """A store the request needs is not answering: 503 with ``Retry-After``, never a 500."""

    default_message = "The service is temporarily unavailable; try again in a few seconds."

    def __init__(self, message: str | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.headers.setdefault("Retry-After", str(STORE_RETRY_AFTER_S))


def max_request_body_bytes() -> int:
    """The largest request body a service reads (``MAX_REQUEST_BODY_BYTES``, default 1 MiB)."""
    return env_int("MAX_REQUEST_BODY_BYTES", default=DEFAULT_MAX_REQUEST_BODY_BYTES)


def json_depth_exceeds(raw: bytes | str, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when the JSON text nests arrays/objects more than ``limit`` deep.

    Scans the characters without decoding (brackets inside strings are skipped), so it is linear and
    cannot recurse, whatever the input. Malformed text is not its concern: the decoder reports it.
    """
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes | bytearray) else raw
    depth = 0
    in_string = False
    escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


def parse_json_body(raw: bytes | str) -> Any:
    """Decode a JSON request body; 400 ``json_too_deep`` or ``invalid_json`` instead of any crash."""
    if json_depth_exceeds(raw):
        raise JsonTooDeep()
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as error:
        raise InvalidRequest("The request body is not valid JSON.", code="invalid_json") from error


def body_fingerprint(raw: bytes, content_type: str | None = None) -> str:
    """SHA-256 identifying a request body: of its JSON data when it is JSON, else of its bytes.

    JSON is canonicalised (sorted keys, no whitespace, UTF-8) so ``{"a":1,"b":2}`` and
    ``{ "b": 2, "a": 1 }`` are the same request. Numbers keep their value (``1.0`` and ``1`` stay
    different, as the API may treat them differently). A body that is not valid JSON, or too deep,
    is fingerprinted by its bytes: the view will refuse it anyway.
    """
    is_json = content_type is None or "json" in content_type.lower()
    if is_json and raw and not json_depth_exceeds(raw):
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):
            pass
        else:
            canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return hashlib.sha256(raw).hexdigest()
