"""Calls to other services' internal APIs: wallet-service holds, listing-service auction terms.

Each call carries a service token (RS256, ``aud`` = the internal audience, ``roles`` ["service"],
``sub`` "auction-service") signed with ``SERVICE_TOKEN_PRIVATE_KEY`` and reused until a minute before
it expires. One keep-alive HTTP client per thread. Every wallet write names its id (derived from our
own records), so a retry after a timeout is always safe.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
from django.conf import settings

from dbay_common.drf.service_auth import internal_jwt_audience
from dbay_common.errors import ApiError, InvalidRequest, ServiceUnavailable

# One line per peer call at INFO would drown the service's own logs (and cost time on the hot path).
logging.getLogger("httpx").setLevel(logging.WARNING)

_local = threading.local()
_token_lock = threading.Lock()
_token: tuple[str, float] | None = None
TOKEN_LIFETIME_S = 600


def service_token() -> str:
    """A service token for auction-service, minted once and reused until a minute before expiry."""
    global _token
    with _token_lock:
        now = time.time()
        if _token is None or _token[1] - 60 < now:
            claims = {
                "iss": settings.JWT_ISSUER,
                "aud": internal_jwt_audience(),
                "sub": "auction-service",
                "roles": ["service"],
                "iat": int(now),
                "exp": int(now) + TOKEN_LIFETIME_S,
            }
            headers = {"kid": settings.SERVICE_TOKEN_KID} if settings.SERVICE_TOKEN_KID else None
            encoded = jwt.encode(
                claims, settings.SERVICE_TOKEN_PRIVATE_KEY, algorithm="RS256", headers=headers
            )
            _token = (encoded, now + TOKEN_LIFETIME_S)
        return _token[0]


def reset_service_token() -> None:
    global _token
    with _token_lock:
        _token = None


def _client() -> httpx.Client:
    client: httpx.Client | None = getattr(_local, "client", None)
    if client is None:
        client = httpx.Client(timeout=settings.INTERNAL_HTTP_TIMEOUT_S)
        _local.client = client
    return client


@dataclass(frozen=True)
class PeerError(Exception):
    """A 4xx answer of a peer service: its status and error code."""

    status: int
    code: str
    message: str


def _call(method: str, url: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {service_token()}"}
    try:
        response = _client().request(method, url, json=body, headers=headers)
    except httpx.HTTPError as error:
        raise ServiceUnavailable("Bidding is briefly unavailable; please try again.") from error
    if response.status_code >= 500:
        raise ServiceUnavailable("Bidding is briefly unavailable; please try again.")
    payload: dict[str, Any] = response.json() if response.content else {}
    if response.status_code >= 400:
        detail = payload.get("error") or {}
        raise PeerError(response.status_code, str(detail.get("code", "")), str(detail.get("message", "")))
    return payload


def _wallet(path: str) -> str:
    return f"{settings.WALLET_SERVICE_URL.rstrip('/')}/api/v1/wallet/internal/{path}"


def hold_place(
    *,
    hold_id: uuid.UUID,
    user_id: uuid.UUID,
    amount_koinu: int,
    reference: dict[str, Any],
    reason: str = "bid_hold",
    replaces_hold_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    """Hold ``amount_koinu`` of the user's available balance; 400 ``insufficient_funds`` when short."""
    body: dict[str, Any] = {
        "hold_id": str(hold_id),
        "user_id": str(user_id),
        "amount_koinu": str(amount_koinu),
        "reason": reason,
        "reference": reference,
    }
    if replaces_hold_id is not None:
        body["replaces_hold_id"] = str(replaces_hold_id)
    try:
        return _call("POST", _wallet("holds"), body)
    except PeerError as error:
        if error.code == "insufficient_funds":
            raise InvalidRequest(
                "Your available balance does not cover this maximum bid. "
                "Add DOGE to your wallet or bid less.",
                code="insufficient_funds",
                param="max_amount_koinu",
            ) from None
        if error.code in ("account_frozen", "wallet_frozen"):
            raise ApiError(
                "Your wallet is frozen, so it cannot back a bid. Please contact support.",
                code="wallet_frozen",
                status=403,
                type="permission_error",
            ) from None
        raise


# The wallet's answers for a hold that is no longer pending (voided, posted, replaced or expired).
RESOLVED_CODES = (
    "transfer_not_pending",
    "pending_transfer_already_voided",
    "pending_transfer_already_posted",
    "pending_transfer_expired",
)


def hold_void(*, hold_id: uuid.UUID) -> str:
    """Release a hold. Returns the hold's status now; a hold never placed answers ``"absent"``."""
    try:
        answer = _call("POST", _wallet(f"holds/{hold_id}/void"), {"void_id": str(uuid_for("void", hold_id))})
    except PeerError as error:
        if error.status == 404:
            return "absent"
        if error.code in RESOLVED_CODES:
            return hold_status(hold_id=hold_id)
        raise
    return str(answer["status"])


def hold_status(*, hold_id: uuid.UUID) -> str:
    try:
        return str(_call("GET", _wallet(f"holds/{hold_id}"))["status"])
    except PeerError as error:
        if error.status == 404:
            return "absent"
        raise


def auction_terms(listing_id: uuid.UUID) -> dict[str, Any]:
    """listing-service's auction terms (reserve and Buy It Now included), by its internal API."""
    base = settings.LISTING_SERVICE_URL.rstrip("/")
    return _call("GET", f"{base}/api/v1/listings/internal/listings/{listing_id}/auction-terms")


NAMESPACE = uuid.UUID("5b0f2c7e-8d1a-4f3b-9c6e-2a7d4e1b0c93")


def uuid_for(kind: str, *parts: object) -> uuid.UUID:
    """The id of ``kind`` for ``parts``, the same on every retry (bids, holds, voids, escrows)."""
    return uuid.uuid5(NAMESPACE, ":".join([kind, *(str(part) for part in parts)]))
