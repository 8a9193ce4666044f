"""Fixtures of the listing tests: signed-in callers, the outbox, complete drafts."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import pytest
from django.test import Client

from dbay_common.django.outbox.models import OutboxEvent
from dbay_common.jwt import reset_verifier_cache
from dbay_common.testing.plugin import JwksServer, RsaKeyPair
from listing_service.listings import services
from listing_service.listings.models import Listing

DOGE = 100_000_000
CATEGORY = "cameras-photo.digital-cameras"


def auction_fields(**overrides: Any) -> dict[str, Any]:
    """Everything an auction needs to be published."""
    fields: dict[str, Any] = {
        "title": "Canon EOS 5D Mark IV body",
        "description": "Shutter count 12,000. Battery and charger included.",
        "category_id": CATEGORY,
        "condition": "very_good",
        "item_specifics": [{"name": "Brand", "value": "Canon"}, {"name": "Model", "value": "5D Mark IV"}],
        "format": "auction",
        "start_price_koinu": 100 * DOGE,
        "duration_days": 7,
        "shipping_options": [{"service": "Standard", "price_koinu": 5 * DOGE, "ships_to": ["US", "CA"]}],
        "local_pickup": False,
        "location": {"country": "US", "postal_code": "94103", "city": "San Francisco"},
    }
    fields.update(overrides)
    return fields


def fixed_price_fields(**overrides: Any) -> dict[str, Any]:
    fields = auction_fields(format="fixed_price", start_price_koinu=None, duration_days=None)
    del fields["start_price_koinu"]
    del fields["duration_days"]
    fields.update({"price_koinu": 250 * DOGE, "quantity": 3})
    fields.update(overrides)
    return fields


@pytest.fixture
def jwt_settings(settings: Any, jwks_server: JwksServer, rsa_keypair: RsaKeyPair) -> Iterator[JwksServer]:
    jwks_server.set_keys(rsa_keypair.jwk)
    settings.JWT_ISSUER = "dbay-user-service"
    settings.JWT_AUDIENCE = ["dbay-api"]
    settings.JWT_JWKS_URL = jwks_server.url
    reset_verifier_cache()
    yield jwks_server
    reset_verifier_cache()


@pytest.fixture(autouse=True)
def view_key_prefix(settings: Any, redis_key_prefix: str) -> str:
    """Each test counts views under keys of its own."""
    settings.LISTING_VIEW_KEY_PREFIX = f"{redis_key_prefix}views:"
    return str(settings.LISTING_VIEW_KEY_PREFIX)


class Api:
    """A test client that signs requests as a given user (or nobody)."""

    def __init__(self, client: Client, make_token: Callable[..., str]) -> None:
        self.client = client
        self.make_token = make_token

    def headers(self, user_id: uuid.UUID | None, roles: list[str] | None = None) -> dict[str, str]:
        if user_id is None:
            return {}
        token = self.make_token(
            sub=str(user_id), roles=roles or ["buyer", "seller"], iss="dbay-user-service", aud="dbay-api"
        )
        return {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    def call(
        self,
        method: str,
        path: str,
        *,
        user: uuid.UUID | None = None,
        roles: list[str] | None = None,
        body: Any = None,
        **extra: Any,
    ) -> Any:
        kwargs: dict[str, Any] = {**self.headers(user, roles), **extra}
        if body is not None:
            kwargs["data"] = body
            kwargs["content_type"] = "application/json"
        return getattr(self.client, method.lower())(path, **kwargs)


@pytest.fixture
def api(client: Client, make_token: Callable[..., str], jwt_settings: JwksServer) -> Api:
    return Api(client, make_token)


@pytest.fixture
def outbox() -> Callable[[], list[dict[str, Any]]]:
    """The events in the outbox as ``{"detail-type", "data", "version"}``, oldest first."""

    def read() -> list[dict[str, Any]]:
        return [
            {
                "detail-type": row.payload["detail-type"],
                "source": row.payload["source"],
                "version": row.payload["detail"]["metadata"]["version"],
                "data": row.payload["detail"]["data"],
            }
            for row in OutboxEvent.objects.order_by("created_at", "id")
        ]

    return read


@pytest.fixture
def seller_id() -> uuid.UUID:
    return uuid.uuid4()


@pytest.fixture
def make_listing(seller_id: uuid.UUID) -> Callable[..., Listing]:
    """A listing of ``seller_id`` (or ``seller``) built through the service functions, published
    unless ``publish=False``."""

    def make(
        *,
        seller: uuid.UUID | None = None,
        publish: bool = True,
        now: datetime | None = None,
        **overrides: Any,
    ) -> Listing:
        owner = seller or seller_id
        fields = (
            fixed_price_fields(**overrides)
            if overrides.get("format") == "fixed_price"
            else auction_fields(**overrides)
        )
        listing = services.listing_create_draft(seller_id=owner, fields=fields)
        if publish:
            listing = services.listing_publish(listing_id=listing.id, seller_id=owner, now=now)
        return listing

    return make


def iso(value: datetime | None) -> str | None:
    """How the events and the API write a time (``datetime.isoformat`` with ``Z`` as DRF does)."""
    if value is None:
        return None
    return value.isoformat().replace("+00:00", "Z")
