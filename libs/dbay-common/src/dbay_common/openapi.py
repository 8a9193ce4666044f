"""What every service's OpenAPI document says about errors, whatever the framework.

Each document lists every status a route really answers, each in the shared error shape
(``{"error": {"type", "code", "message", "param"?}}``, component ``ErrorResponse``). Views declare the
errors of their own rules (403, 404, 409, 429, ...); :func:`add_common_responses` adds the ones the
platform gives every route of a kind, so no view can forget them:

- every route: 503 ``service_unavailable`` with ``Retry-After`` (a store is down);
- a route with a request body: 400 (malformed or too deep JSON, invalid fields), 413 (a body past
  ``MAX_REQUEST_BODY_BYTES``) and 415 (not JSON);
- a route with a security requirement: 401 (no token, or a bad, expired or revoked one);
- a route taking ``Idempotency-Key``: 400 (a malformed key), 409 (the first request with the key is
  still running) and 422 (the key was used with another body).

The Django services apply it in a drf-spectacular postprocessing hook
(:func:`dbay_common.drf.schema.postprocess_common_responses`), the Flask services in an apispec
plugin (:class:`dbay_common.flask.app.CommonResponsesPlugin`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dbay_common.request_body import DEFAULT_MAX_REQUEST_BODY_BYTES, MAX_JSON_DEPTH, STORE_RETRY_AFTER_S

__all__ = [
    "API_CONVENTIONS",
    "ERROR_DESCRIPTIONS",
    "ERROR_RESPONSE_COMPONENT",
    "ERROR_SCHEMAS",
    "IDEMPOTENCY_KEY_MAX_LENGTH",
    "IDEMPOTENCY_KEY_SCHEMA",
    "add_common_responses",
    "error_response_object",
]

IDEMPOTENCY_HEADER = "Idempotency-Key"
#: The longest Idempotency-Key accepted (400 ``invalid_idempotency_key`` past it).
IDEMPOTENCY_KEY_MAX_LENGTH = 255
IDEMPOTENCY_KEY_SCHEMA: dict[str, Any] = {
    "type": "string",
    "minLength": 1,
    "maxLength": IDEMPOTENCY_KEY_MAX_LENGTH,
    "pattern": r"^[\x20-\x7e]+$",
}

ERROR_RESPONSE_COMPONENT = "ErrorResponse"
ERROR_REF = {"$ref": f"#/components/schemas/{ERROR_RESPONSE_COMPONENT}"}

#: The error shape as JSON Schema components, for a document that has not registered them yet.
ERROR_SCHEMAS: dict[str, dict[str, Any]] = {
    "ErrorDetail": {
        "type": "object",
        "description": "What went wrong: `type` is the class of error, `code` a stable value a client "
        "can branch on, `param` the field or header at fault (when there is one).",
        "properties": {
            "type": {"type": "string"},
            "code": {"type": "string"},
            "message": {"type": "string"},
            "param": {"type": "string"},
        },
        "required": ["code", "message", "type"],
    },
    ERROR_RESPONSE_COMPONENT: {
        "type": "object",
        "description": "Every error a dBay service answers has this shape.",
        "properties": {"error": {"$ref": "#/components/schemas/ErrorDetail"}},
        "required": ["error"],
    },
}

ERROR_DESCRIPTIONS: dict[int, str] = {
    400: "Invalid input: `param` names the field (`invalid_field`, `required`, ...); also a body that is "
    f"not JSON (`invalid_json`) or nested more than {MAX_JSON_DEPTH} levels (`json_too_deep`).",
    401: "No valid access token (`not_authenticated`, or the token is malformed, expired or of a "
    "revoked session); `WWW-Authenticate` says which.",
    403: "Signed in, but not allowed.",
    404: "No such object, or not the caller's.",
    409: "Conflicts with the current state.",
    413: f"The request body is larger than `MAX_REQUEST_BODY_BYTES` ({DEFAULT_MAX_REQUEST_BODY_BYTES} "
    "bytes unless configured): `request_too_large`.",
    415: "The request body is not `application/json`.",
    422: "This Idempotency-Key was already used with a different request body (`idempotency_key_reused`).",
    429: "Too many requests (`rate_limited`); wait the seconds in `Retry-After`.",
    503: "The service, or a store it needs, is not answering (`service_unavailable`; the gateway answers "
    "the same when the service is down); nothing was changed; retry after the seconds in `Retry-After`.",
}

_IDEMPOTENCY_DESCRIPTIONS = {
    400: "Invalid input, or an Idempotency-Key that is not 1 to "
    f"{IDEMPOTENCY_KEY_MAX_LENGTH} printable characters (`invalid_idempotency_key`).",
    409: "A request with this Idempotency-Key is still running (`idempotency_request_in_progress`); "
    "retry shortly.",
}

_RETRY_AFTER_HEADER = {
    "Retry-After": {
        "description": "Seconds to wait before retrying.",
        "schema": {"type": "integer", "minimum": 0},
    }
}

#: What a document's ``info.description`` states about every route of every service.
API_CONVENTIONS = (
    "Conventions shared by every dBay service. Request bodies are JSON (`application/json`), at most "
    f"`MAX_REQUEST_BODY_BYTES` ({DEFAULT_MAX_REQUEST_BODY_BYTES} bytes unless configured; 413 "
    f"`request_too_large` past it) and nested at most {MAX_JSON_DEPTH} levels (400 `json_too_deep`). "
    'Every error is `{"error": {"type", "code", "message", "param"}}`. Amounts are integer koinu sent '
    "as strings of digits (1 DOGE = 100000000 koinu). Lists take `limit` (1-100) and "
    "`starting_after` / `ending_before` and answer `{data, has_more}`. A store outage is 503 with "
    f"`Retry-After` (about {STORE_RETRY_AFTER_S} s); nothing was changed."
)


def error_response_object(status: int, description: str | None = None) -> dict[str, Any]:
    """An OpenAPI response object for ``status`` in the shared error shape (JSON, plain dict)."""
    response: dict[str, Any] = {
        "description": description or ERROR_DESCRIPTIONS[status],
        "content": {"application/json": {"schema": dict(ERROR_REF)}},
    }
    if status in (429, 503):
        response["headers"] = {name: dict(value) for name, value in _RETRY_AFTER_HEADER.items()}
    return response


def _has_security_requirement(operation: Mapping[str, Any], document_security: Any) -> bool:
    security = operation.get("security", document_security) or []
    return any(requirement for requirement in security)


def _takes_idempotency_key(operation: Mapping[str, Any]) -> bool:
    return any(
        isinstance(parameter, Mapping)
        and parameter.get("in") == "header"
        and str(parameter.get("name", "")).lower() == IDEMPOTENCY_HEADER.lower()
        for parameter in operation.get("parameters", [])
    )


def common_statuses(operation: Mapping[str, Any], *, document_security: Any = None) -> dict[int, str]:
    """The statuses the platform answers on ``operation`` whatever its view does, with descriptions."""
    statuses: dict[int, str] = {}
    if "requestBody" in operation:
        statuses.update({400: ERROR_DESCRIPTIONS[400], 413: ERROR_DESCRIPTIONS[413]})
        statuses[415] = ERROR_DESCRIPTIONS[415]
    if _has_security_requirement(operation, document_security):
        statuses[401] = ERROR_DESCRIPTIONS[401]
    if _takes_idempotency_key(operation):
        statuses.update(_IDEMPOTENCY_DESCRIPTIONS)
        statuses[422] = ERROR_DESCRIPTIONS[422]
    statuses[503] = ERROR_DESCRIPTIONS[503]
    return statuses


def add_common_responses(
    operation: dict[str, Any], *, document_security: Any = None, error_schema: Any = None
) -> None:
    """Add to ``operation["responses"]`` the platform's statuses it does not declare yet (in place).

    A status the view declares keeps the view's description. ``error_schema`` is what to put under
    ``schema`` (a ``$ref`` dict by default; the Flask plugin passes the component's name).
    """
    responses = operation.setdefault("responses", {})
    declared = {str(status) for status in responses}
    for status, description in common_statuses(operation, document_security=document_security).items():
        if str(status) in declared:
            continue
        response = error_response_object(status, description)
        if error_schema is not None:
            response["content"]["application/json"]["schema"] = error_schema
        responses[str(status)] = response
    for status, response in responses.items():
        if str(status) in ("429", "503") and isinstance(response, dict) and "$ref" not in response:
            headers = response.setdefault("headers", {})
            for name, value in _RETRY_AFTER_HEADER.items():
                headers.setdefault(name, dict(value))
