"""``Idempotency-Key`` for Django: the first response to a key is stored and replayed to retries.

Applies to POST, PUT, PATCH and DELETE requests that carry the header, on views not marked with
:func:`~dbay_common.django.idempotency.idempotency_exempt`. The key is scoped to the caller (the
verified token's ``sub``, else ``"anonymous"``), the method and the path, so two users' keys never
collide and a key is never replayed to someone else. See
:mod:`dbay_common.django.idempotency.services` for the claim protocol.

Responses:

* first request: runs the view; its response is stored unless it is a 5xx, 401, 403 or 429, which release
  the key (nothing was done, or the outcome is unknown, so the client must be able to retry);
* repeat with the same body (the same JSON data, whatever its key order or spacing): the stored
  response, plus ``Idempotent-Replayed: true``;
* repeat with another body: 422 ``idempotency_key_reused`` (the client has a bug);
* repeat while the first still runs: 409 ``idempotency_request_in_progress`` (retry shortly).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse

from dbay_common.django.idempotency.services import (
    Claim,
    IdempotencyScope,
    idempotency_key_claim,
    idempotency_key_complete,
    idempotency_key_release,
)
from dbay_common.errors import ApiError, Conflict, InvalidRequest, UnprocessableEntity
from dbay_common.jwt import TokenInvalid, bearer_token
from dbay_common.openapi import IDEMPOTENCY_KEY_MAX_LENGTH
from dbay_common.request_body import body_fingerprint

logger = logging.getLogger(__name__)

IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = IDEMPOTENCY_KEY_MAX_LENGTH
IDEMPOTENT_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
ANONYMOUS = "anonymous"

# Responses a retry must be allowed to re-execute rather than replay.
_RELEASED_STATUSES = frozenset({401, 403, 429})
# Per-response headers that must not be replayed (the replay gets its own).
_UNSTORED_HEADERS = frozenset(
    {"set-cookie", "date", "content-length", "x-request-id", "x-correlation-id", "connection"}
)

_STATE_ATTRIBUTE = "_dbay_idempotency_record_id"


def _is_exempt(view_func: Callable[..., Any]) -> bool:
    for candidate in (view_func, getattr(view_func, "cls", None), getattr(view_func, "view_class", None)):
        if candidate is not None and getattr(candidate, "idempotency_exempt", False):
            return True
    return False


def request_principal(request: HttpRequest) -> str:
    """The verified token subject of the request, or ``"anonymous"``.

    The token is verified (not merely decoded): scoping by an unverified ``sub`` would let anyone
    forge another user's scope and be replayed that user's stored response.
    """
    from dbay_common.drf.authentication import django_jwt_verifier

    authorization = request.headers.get("Authorization")
    if not authorization:
        return ANONYMOUS
    try:
        token = bearer_token(authorization)
        if token is None:
            return ANONYMOUS
        return str(django_jwt_verifier().verify(token)["sub"])
    except (TokenInvalid, ApiError):
        # The view will reject the token itself; as far as idempotency goes the caller is nobody.
        return ANONYMOUS


def _error(error: ApiError) -> JsonResponse:
    return JsonResponse(error.to_body(), status=error.status)


class IdempotencyMiddleware:
    """Claim the key before the view, store or release it after (see the module docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        claim: Claim | None = getattr(request, _STATE_ATTRIBUTE, None)
        if claim is not None:
            self._finish(claim, response)
        return response

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponseBase | None:
        """Claim the key once the view is known (so unknown routes and exempt views are skipped)."""
        key = request.headers.get(IDEMPOTENCY_HEADER)
        if key is None or request.method not in IDEMPOTENT_METHODS or _is_exempt(view_func):
            return None
        if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
            return _error(
                InvalidRequest(
                    f"The Idempotency-Key header must be 1 to {MAX_KEY_LENGTH} printable characters.",
                    code="invalid_idempotency_key",
                    param=IDEMPOTENCY_HEADER,
                )
            )
        scope = IdempotencyScope(
            principal=request_principal(request), method=str(request.method), path=request.path, key=key
        )
        fingerprint = body_fingerprint(request.body, request.content_type)
        claim = idempotency_key_claim(
            scope=scope,
            fingerprint=fingerprint,
            ttl_s=int(getattr(settings, "DBAY_IDEMPOTENCY_TTL_S", 24 * 3600)),
            lock_timeout_s=int(getattr(settings, "DBAY_IDEMPOTENCY_LOCK_TIMEOUT_S", 120)),
        )
        if claim.record_id is not None:
            setattr(request, _STATE_ATTRIBUTE, claim)
            return None
        existing = claim.existing
        assert existing is not None
        if existing.request_fingerprint != fingerprint:
            return _error(
                UnprocessableEntity(
                    "This Idempotency-Key was already used with a different request body.",
                    code="idempotency_key_reused",
                    param=IDEMPOTENCY_HEADER,
                )
            )
        if existing.state != existing.State.COMPLETED or existing.response_status is None:
            return _error(
                Conflict(
                    "A request with this Idempotency-Key is still being processed; retry shortly.",
                    code="idempotency_request_in_progress",
                )
            )
        replay = HttpResponse(bytes(existing.response_body or b""), status=existing.response_status)
        for name, value in existing.response_headers:
            replay[name] = value
        replay[REPLAYED_HEADER] = "true"
        return replay

    def _finish(self, claim: Claim, response: HttpResponseBase) -> None:
        assert claim.record_id is not None and claim.locked_at is not None
        record_id, locked_at = claim.record_id, claim.locked_at
        try:
            if (
                response.status_code >= 500
                or response.status_code in _RELEASED_STATUSES
                or response.streaming
                or not isinstance(response, HttpResponse)
            ):
                idempotency_key_release(record_id=record_id, locked_at=locked_at)
                return
            headers = [
                (name, value) for name, value in response.items() if name.lower() not in _UNSTORED_HEADERS
            ]
            idempotency_key_complete(
                record_id=record_id,
                locked_at=locked_at,
                status=response.status_code,
                headers=headers,
                body=response.content,
            )
        except Exception:
            # The response already happened; failing it now would make the client retry a request
            # that succeeded. The claim stays in_progress and is taken over after the lock timeout.
            logger.exception("could not record the outcome of idempotency record %s", record_id)
