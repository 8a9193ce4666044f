"""``Idempotency-Key`` for Flask services, stored in MongoDB; same semantics as the Django middleware.

A unique index on ``scope`` (a hash of principal, method, path and key) makes the claim atomic: of N
identical requests racing, exactly one ``insert_one`` succeeds and runs the view; the others get
``DuplicateKeyError`` and replay (``Idempotent-Replayed: true``), are refused as a reused key (422
``idempotency_key_reused``) or as a concurrent duplicate (409 ``idempotency_request_in_progress``).
5xx, 401, 403 and 429 responses release the key so the client can retry (a 403 such as mfa_required
turns into a success once the client has done what it asked). A claim whose record is past
its TTL, or still ``in_progress`` with the same body after the lock timeout (its process died), is
taken over with one conditional ``find_one_and_update``.

Usage::

    store = IdempotencyStore(mongo_db["idempotency_records"])
    store.init_app(app)

    @blp.route("/messages", methods=["POST"])
    @idempotent
    @blp.arguments(MessageIn)
    @blp.response(201, MessageOut)
    def message_send(payload): ...
"""

from __future__ import annotations

import functools
import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar, cast

from flask import Flask, Response, current_app, g, request
from pymongo import ASCENDING
from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError, PyMongoError

from dbay_common.errors import (
    ApiError,
    Conflict,
    InvalidRequest,
    ServiceUnavailable,
    UnprocessableEntity,
)
from dbay_common.openapi import IDEMPOTENCY_KEY_MAX_LENGTH, IDEMPOTENCY_KEY_SCHEMA
from dbay_common.request_body import body_fingerprint

F = TypeVar("F", bound=Callable[..., Any])

EXTENSION = "dbay_idempotency"
IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = IDEMPOTENCY_KEY_MAX_LENGTH
IDEMPOTENT_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
ANONYMOUS = "anonymous"
IN_PROGRESS = "in_progress"
COMPLETED = "completed"

_RELEASED_STATUSES = frozenset({401, 403, 429})
_UNSTORED_HEADERS = frozenset(
    {"set-cookie", "date", "content-length", "x-request-id", "x-correlation-id", "connection"}
)


def scope_hash(*, principal: str, method: str, path: str, key: str) -> str:
    """The unique ``scope`` of a key: sha256 over the NUL-separated parts (NUL cannot occur in them)."""
    return hashlib.sha256("\x00".join((principal, method, path, key)).encode()).hexdigest()


@dataclass(frozen=True)
class MongoClaim:
    """``claim_token`` set when this request owns the key, else ``existing`` (the stored document)."""

    scope: str
    claim_token: str | None
    existing: dict[str, Any] | None


class IdempotencyStore:
    """Idempotency records in one MongoDB collection (works on FerretDB)."""

    def __init__(
        self, collection: Collection[dict[str, Any]], *, ttl_s: int = 24 * 3600, lock_timeout_s: int = 120
    ) -> None:
        self.collection = collection
        self.ttl_s = ttl_s
        self.lock_timeout_s = lock_timeout_s
        self._has_indexes = False

    def init_app(self, app: Flask) -> None:
        app.extensions[EXTENSION] = self

    def ensure_indexes(self) -> None:
        """Create the unique scope index (idempotent; done lazily before the first claim)."""
        if not self._has_indexes:
            self.collection.create_index(
                [("scope", ASCENDING)], unique=True, name="dbay_idempotency_scope_unique"
            )
            self.collection.create_index([("created_at", ASCENDING)], name="dbay_idempotency_created")
            self._has_indexes = True

    def claim(self, *, principal: str, method: str, path: str, key: str, fingerprint: str) -> MongoClaim:
        """Try to own the key (see the module docstring)."""
        self.ensure_indexes()
        scope = scope_hash(principal=principal, method=method, path=path, key=key)
        for _ in range(4):  # a release or a stale record removed between our insert and read: again
            now = datetime.now(UTC)
            token = uuid.uuid4().hex
            claimed_fields = {
                "fingerprint": fingerprint,
                "state": IN_PROGRESS,
                "claim_token": token,
                "created_at": now,
                "locked_at": now,
            }
            try:
                self.collection.insert_one(
                    {
                        "scope": scope,
                        "principal": principal,
                        "method": method,
                        "path": path,
                        "key": key,
                        **claimed_fields,
                    }
                )
                return MongoClaim(scope=scope, claim_token=token, existing=None)
            except DuplicateKeyError:
                pass
            # A record past its TTL, or a claim whose owner died, is removed and the insert above is
            # tried again: FerretDB applies find-and-modify as a read and a write-back, so two
            # requests could both "take over" one record; only the unique insert is race-proof.
            # The delete names the stale record's own _id and token, so it can never remove the
            # fresh claim another request inserted meanwhile.
            stale = self.collection.find_one(
                {
                    "scope": scope,
                    "$or": [
                        {"created_at": {"$lt": now - timedelta(seconds=self.ttl_s)}},
                        {
                            "state": IN_PROGRESS,
                            "fingerprint": fingerprint,
                            "locked_at": {"$lt": now - timedelta(seconds=self.lock_timeout_s)},
                        },
                    ],
                }
            )
            if stale is not None:
                self.collection.delete_one({"_id": stale["_id"], "claim_token": stale.get("claim_token")})
                continue
            existing = self.collection.find_one({"scope": scope})
            if existing is not None:
                return MongoClaim(scope=scope, claim_token=None, existing=existing)
        raise RuntimeError("idempotency key claim did not settle after 4 attempts")

    def complete(
        self, *, scope: str, claim_token: str, status: int, headers: list[tuple[str, str]], body: bytes
    ) -> None:
        """Store the owner's response (only if the claim is still ours)."""
        self.collection.update_one(
            {"scope": scope, "claim_token": claim_token, "state": IN_PROGRESS},
            {
                "$set": {
                    "state": COMPLETED,
                    "status": status,
                    # Objects, not [name, value] pairs: FerretDB does not store nested arrays.
                    "headers": [{"name": name, "value": value} for name, value in headers],
                    "body": body,
                    "completed_at": datetime.now(UTC),
                }
            },
        )

    def release(self, *, scope: str, claim_token: str) -> None:
        """Forget our in-progress claim so a retry executes again."""
        self.collection.delete_one({"scope": scope, "claim_token": claim_token, "state": IN_PROGRESS})

    def purge(self, *, older_than: timedelta | datetime) -> int:
        """Delete records created before ``older_than`` (an age or an aware cutoff); return how many."""
        cutoff = datetime.now(UTC) - older_than if isinstance(older_than, timedelta) else older_than
        if cutoff.tzinfo is None:
            raise ValueError("older_than must be timezone-aware")
        return int(self.collection.delete_many({"created_at": {"$lt": cutoff}}).deleted_count)


def _principal() -> str:
    """Verified token subject (from ``g.claims`` when ``@jwt_required`` ran first), else anonymous."""
    claims = g.get("claims")
    if isinstance(claims, dict) and isinstance(claims.get("sub"), str):
        return str(claims["sub"])
    from dbay_common.flask.auth import request_claims

    try:
        verified = request_claims()
    except ApiError:
        return ANONYMOUS
    return str(verified["sub"]) if verified else ANONYMOUS


def _store() -> IdempotencyStore:
    store = current_app.extensions.get(EXTENSION)
    if not isinstance(store, IdempotencyStore):
        raise RuntimeError("no IdempotencyStore: call IdempotencyStore(...).init_app(app) at startup")
    return store


def _replay(existing: dict[str, Any]) -> Response:
    response = Response(bytes(existing.get("body") or b""), status=int(existing["status"]))
    response.headers.clear()
    for header in existing.get("headers") or []:
        response.headers.add(header["name"], header["value"])
    response.headers[REPLAYED_HEADER] = "true"
    return response


def _render(view: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Response:
    """Run the view and turn its result, or its exception, into the response the client will get."""
    try:
        return current_app.make_response(view(*args, **kwargs))
    except Exception as error:
        # Render errors with the app's handlers now, so 4xx outcomes are stored like any response;
        # an exception without a handler propagates (and the caller releases the key).
        return current_app.make_response(current_app.handle_user_exception(error))


def idempotent(view: F) -> F:
    """Apply Idempotency-Key semantics to a Flask view (see the module docstring)."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        key = request.headers.get(IDEMPOTENCY_HEADER)
        if key is None or request.method not in IDEMPOTENT_METHODS:
            return view(*args, **kwargs)
        if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
            raise InvalidRequest(
                f"The Idempotency-Key header must be 1 to {MAX_KEY_LENGTH} printable characters.",
                code="invalid_idempotency_key",
                param=IDEMPOTENCY_HEADER,
            )
        store = _store()
        fingerprint = body_fingerprint(request.get_data(cache=True), request.content_type)
        try:
            claim = store.claim(
                principal=_principal(),
                method=request.method,
                path=request.path,
                key=key,
                fingerprint=fingerprint,
            )
        except PyMongoError as error:
            raise ServiceUnavailable("Idempotency records are unavailable; retry later.") from error
        if claim.claim_token is None:
            existing = claim.existing or {}
            if existing.get("fingerprint") != fingerprint:
                raise UnprocessableEntity(
                    "This Idempotency-Key was already used with a different request body.",
                    code="idempotency_key_reused",
                    param=IDEMPOTENCY_HEADER,
                )
            if existing.get("state") != COMPLETED or existing.get("status") is None:
                raise Conflict(
                    "A request with this Idempotency-Key is still being processed; retry shortly.",
                    code="idempotency_request_in_progress",
                )
            return _replay(existing)

        try:
            response = _render(view, args, kwargs)
        except BaseException:
            store.release(scope=claim.scope, claim_token=claim.claim_token)
            raise
        try:
            if (
                response.status_code >= 500
                or response.status_code in _RELEASED_STATUSES
                or response.is_streamed
            ):
                store.release(scope=claim.scope, claim_token=claim.claim_token)
            else:
                store.complete(
                    scope=claim.scope,
                    claim_token=claim.claim_token,
                    status=response.status_code,
                    headers=[
                        (name, value)
                        for name, value in response.headers.items()
                        if name.lower() not in _UNSTORED_HEADERS
                    ],
                    body=response.get_data(),
                )
        except PyMongoError:
            # The response already happened; the claim stays in_progress until its lock times out.
            current_app.logger.exception("could not record the outcome of an idempotent request")
        return response

    # Document the header (flask-smorest reads ``_apidoc``); CommonResponsesPlugin then adds 409/422.
    apidoc = dict(getattr(wrapper, "_apidoc", {}))
    manual_doc = dict(apidoc.get("manual_doc", {}))
    manual_doc["parameters"] = [
        *manual_doc.get("parameters", []),
        {
            "in": "header",
            "name": IDEMPOTENCY_HEADER,
            "required": False,
            "schema": dict(IDEMPOTENCY_KEY_SCHEMA),
            "description": "Retries with the same key and the same JSON body replay the first response "
            "(`Idempotent-Replayed: true`).",
        },
    ]
    apidoc["manual_doc"] = manual_doc
    wrapper._apidoc = apidoc  # type: ignore[attr-defined]
    return cast(F, wrapper)
