"""Crash safety: the web worker SIGKILLed at each step of a bid (issue 11, "Crash safety").

auction-service runs under a real gunicorn on the test database with the real wallet-service
beside it. A test hook (``AUCTION_TEST_PAUSE_FILE``) freezes the worker at one step and the test
SIGKILLs it there. Then the sweep runs: a hold whose bid never committed is voided, a committed
bid's outbid hold is released; no hold outlives its bid, and the ledger still sums to zero.
"""

from __future__ import annotations

import datetime as dt
import http.client
import os
import signal
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from auction_service.auctions import clients
from auction_service.auctions.bidding import bid_id_for
from auction_service.auctions.closing import holds_sweep
from auction_service.auctions.models import Auction, Bid, WalletHold
from dbay_common.testing.sessions import UserSessions

from .conftest import DOGE, Bidder
from .peers import AUCTION_DIR, ListingPeer, ServiceProcess, WalletPeer, postgres_url, service_env

STEPS = ("after_intent", "after_hold", "after_commit")


@pytest.fixture
def web(
    tmp_path: Path, peers: tuple[WalletPeer, ListingPeer], user_sessions: UserSessions
) -> Iterator[tuple[ServiceProcess, Path]]:
    wallet, listing_peer = peers
    pause_file = tmp_path / "pause"
    env = service_env(
        DJANGO_SETTINGS_MODULE="auction_service.settings",
        DATABASE_URL=postgres_url(settings.DATABASES["default"]["NAME"]),
        JWT_JWKS_URL=settings.JWT_JWKS_URL,
        WALLET_SERVICE_URL=wallet.url,
        LISTING_SERVICE_URL=listing_peer.url,
        USER_SERVICE_URL=user_sessions.url,
        SERVICE_TOKEN_PRIVATE_KEY=settings.SERVICE_TOKEN_PRIVATE_KEY,
        SERVICE_TOKEN_KID=settings.SERVICE_TOKEN_KID,
        AUCTION_TEST_PAUSE_FILE=str(pause_file),
    )
    server = ServiceProcess("auction_service.wsgi:application", AUCTION_DIR, env)
    try:
        yield server, pause_file
    finally:
        server.stop()


def bid_over_http(server: ServiceProcess, bidder: Bidder, listing_id: uuid.UUID, koinu: int, key: str) -> Any:
    headers = {"Authorization": bidder.client.defaults["HTTP_AUTHORIZATION"], "Idempotency-Key": key}
    return server.request(
        "POST", f"/api/v1/auctions/{listing_id}/bids", {"max_amount_koinu": str(koinu)}, headers
    )


@pytest.mark.parametrize("step", STEPS)
def test_a_bid_killed_at_each_step_leaves_no_hold_behind_its_bid(
    step: str,
    web: tuple[ServiceProcess, Path],
    peers: tuple[WalletPeer, ListingPeer],
    member: Callable[..., Bidder],
    open_auction: Callable[..., uuid.UUID],
) -> None:
    server, pause_file = web
    wallet, _ = peers
    seller, ada, bob = member(), member(100 * DOGE), member(100 * DOGE)
    listing_id = open_auction(seller.user_id)
    assert ada.bid(listing_id, 10 * DOGE).status_code == 201
    ada_hold = Auction.objects.get(pk=listing_id).leader_hold_id
    key = uuid.uuid4().hex
    bob_hold = clients.uuid_for(
        "hold", bid_id_for(listing_id=listing_id, bidder_id=bob.user_id, idempotency_key=key)
    )

    pause_file.write_text(step)
    outcome: dict[str, Any] = {}

    def first_request() -> None:
        try:
            outcome["response"] = bid_over_http(server, bob, listing_id, 20 * DOGE, key)
        except (OSError, http.client.HTTPException) as error:
            outcome["error"] = error

    client = threading.Thread(target=first_request)
    client.start()
    os.kill(server.wait_for_pause(step), signal.SIGKILL)
    client.join(timeout=30)
    assert "error" in outcome, outcome  # the client never got an answer

    committed = step == "after_commit"
    assert Bid.objects.filter(bidder_id=bob.user_id).exists() == committed
    assert WalletHold.objects.get(hold_id=bob_hold).state == ("active" if committed else "placing")
    assert (wallet.hold(bob_hold) or {}).get("status") == (None if step == "after_intent" else "pending")

    # Within the orphan delay nothing is touched (the request might still be deciding) ...
    holds_sweep()
    assert WalletHold.objects.get(hold_id=bob_hold).state == ("active" if committed else "placing")
    # ... after it, the sweep finishes what the dead worker left.
    holds_sweep(now=timezone.now() + dt.timedelta(seconds=settings.AUCTION_ORPHAN_HOLD_AFTER_S + 5))
    auction = Auction.objects.get(pk=listing_id)
    holds = wallet.open_holds()
    if committed:
        assert (auction.leader_id, auction.leader_hold_id) == (bob.user_id, bob_hold)
        assert str(ada.user_id) not in holds and wallet.hold(ada_hold)["status"] == "voided"
        assert holds[str(bob.user_id)] == [(str(bob_hold), 20 * DOGE, "bid_hold")]
    else:
        assert (auction.leader_id, auction.leader_hold_id, auction.bid_count) == (ada.user_id, ada_hold, 1)
        assert holds[str(ada.user_id)] == [(str(ada_hold), 10 * DOGE, "bid_hold")]
        assert str(bob.user_id) not in holds and wallet.available(bob.user_id) == 100 * DOGE
        assert WalletHold.objects.get(hold_id=bob_hold).state == (
            "absent" if step == "after_intent" else "released"
        )

    # The same request again: the committed bid is answered as it is; a swept one asks for a new try.
    status, body = bid_over_http(server, bob, listing_id, 20 * DOGE, key)
    if committed:
        assert (status, body["outcome"], body["bid"]["id"]) == (
            201,
            "leading",
            str(Bid.objects.get(bidder_id=bob.user_id).id),
        )
    else:
        assert (status, body["error"]["code"]) == (409, "try_again")
        assert str(bob.user_id) not in wallet.open_holds()
    audit = wallet.audit()
    assert (audit["sum"], audit["pending_sum"], audit["findings"]) == (0, 0, [])


def test_a_retry_before_the_sweep_completes_the_interrupted_bid_on_the_same_hold(
    web: tuple[ServiceProcess, Path],
    peers: tuple[WalletPeer, ListingPeer],
    member: Callable[..., Bidder],
    open_auction: Callable[..., uuid.UUID],
) -> None:
    server, pause_file = web
    wallet, _ = peers
    seller, bob = member(), member(100 * DOGE)
    listing_id = open_auction(seller.user_id)
    key = uuid.uuid4().hex
    pause_file.write_text("after_hold")
    outcome: dict[str, Any] = {}

    def first_request() -> None:
        try:
            outcome["response"] = bid_over_http(server, bob, listing_id, 20 * DOGE, key)
        except (OSError, http.client.HTTPException) as error:
            outcome["error"] = error

    client = threading.Thread(target=first_request)
    client.start()
    os.kill(server.wait_for_pause("after_hold"), signal.SIGKILL)
    client.join(timeout=30)
    status, body = bid_over_http(server, bob, listing_id, 20 * DOGE, key)
    assert (status, body["outcome"]) == (201, "leading")
    assert [amount for _, amount, _ in wallet.open_holds()[str(bob.user_id)]] == [20 * DOGE]
    assert Bid.objects.filter(bidder_id=bob.user_id).count() == 1
