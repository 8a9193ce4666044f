"""Fixtures of auction-service's tests: the real wallet-service over HTTP, listing-service's
auction terms on a loopback port, funded members with signed-in API clients, auctions opened the
way production opens them (from `listing.published`)."""

from __future__ import annotations

import datetime as dt
import itertools
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from auction_service.auctions import clients
from auction_service.auctions.models import Member
from dbay_common.jwt import reset_verifier_cache
from dbay_common.testing.plugin import JwksServer, RsaKeyPair, sign_token
from dbay_common.testing.sessions import UserSessions

from .peers import ListingPeer, WalletPeer

DOGE = 100_000_000


@pytest.fixture(scope="session")
def wallet(jwks_server: JwksServer, rsa_keypair: RsaKeyPair) -> Iterator[WalletPeer]:
    token = sign_token(
        rsa_keypair,
        aud="dbay-internal",
        sub="auction-tests",
        roles=["service"],
        exp=int(time.time()) + 6 * 3600,
    )
    peer = WalletPeer(jwks_url=jwks_server.url, service_token=token)
    try:
        yield peer
    finally:
        peer.stop()


@pytest.fixture(scope="session")
def listing_peer() -> Iterator[ListingPeer]:
    peer = ListingPeer()
    try:
        yield peer
    finally:
        peer.stop()


@pytest.fixture
def peers(
    settings: Any,
    transactional_db: None,
    wallet: WalletPeer,
    listing_peer: ListingPeer,
    jwks_server: JwksServer,
    rsa_keypair: RsaKeyPair,
    user_sessions: UserSessions,
) -> Iterator[tuple[WalletPeer, ListingPeer]]:
    jwks_server.set_keys(rsa_keypair.jwk)
    settings.WALLET_SERVICE_URL = wallet.url
    settings.LISTING_SERVICE_URL = listing_peer.url
    settings.SERVICE_TOKEN_PRIVATE_KEY = rsa_keypair.private_pem.decode()
    settings.SERVICE_TOKEN_KID = rsa_keypair.kid
    settings.JWT_JWKS_URL = jwks_server.url
    clients.reset_service_token()
    reset_verifier_cache()
    yield wallet, listing_peer
    reset_verifier_cache()


_names = itertools.count(1)


@dataclass
class Bidder:
    user_id: uuid.UUID
    client: Client
    username: str

    def bid(self, listing_id: uuid.UUID, koinu: int, key: str | None = None) -> Any:
        return self.client.post(
            f"/api/v1/auctions/{listing_id}/bids",
            {"max_amount_koinu": str(koinu)},
            content_type="application/json",
            headers={"Idempotency-Key": key or uuid.uuid4().hex},
        )


@pytest.fixture
def member(peers: tuple[WalletPeer, ListingPeer], make_token: Callable[..., str]) -> Callable[..., Bidder]:
    """``member(funds_koinu, username=..., verified=True)``: a member with a funded wallet, signed in."""
    wallet, _ = peers

    def make(funds: int = 0, *, username: str | None = None, verified: bool = True) -> Bidder:
        user_id = uuid.uuid4()
        name = username or f"member{next(_names)}x"
        Member.objects.create(user_id=user_id, username=name)
        if funds:
            wallet.fund(user_id, funds)
        token = make_token(
            sub=str(user_id), roles=["buyer", "seller"], email_verified=verified, sid=uuid.uuid4().hex
        )
        return Bidder(user_id, Client(HTTP_AUTHORIZATION=f"Bearer {token}"), name)

    return make


@pytest.fixture
def open_auction(peers: tuple[WalletPeer, ListingPeer]) -> Callable[..., uuid.UUID]:
    """``open_auction(seller_id, start=1 DOGE, reserve=None, bin=None, ends_in=timedelta(days=3))``:
    listing-service's terms served, then `listing.published` handled as in production."""
    from auction_service.auctions.lifecycle import auction_sync_from_listing

    _, listing_peer = peers

    def make(
        seller_id: uuid.UUID,
        *,
        start: int = DOGE,
        reserve: int | None = None,
        buy_it_now: int | None = None,
        starts_in: dt.timedelta = dt.timedelta(0),
        ends_in: dt.timedelta = dt.timedelta(days=3),
        soft_close_minutes: int = 2,
    ) -> uuid.UUID:
        listing_id = uuid.uuid4()
        now = timezone.now()
        listing_peer.terms[str(listing_id)] = {
            "listing_id": str(listing_id),
            "seller_id": str(seller_id),
            "format": "auction",
            "status": "scheduled" if starts_in else "active",
            "start_price_koinu": str(start),
            "reserve_price_koinu": None if reserve is None else str(reserve),
            "buy_it_now_koinu": None if buy_it_now is None else str(buy_it_now),
            "starts_at": (now + starts_in).isoformat(),
            "ends_at": (now + ends_in).isoformat(),
            "soft_close_minutes": soft_close_minutes,
        }
        auction_sync_from_listing(
            listing_id=listing_id,
            version=1,
            status="scheduled" if starts_in else "active",
            title="Shiba figurine",
            photo_url=None,
            ended_reason="",
            removed=False,
        )
        return listing_id

    return make
