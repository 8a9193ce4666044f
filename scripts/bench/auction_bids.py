#!/usr/bin/env python3
"""Bids per second on ONE hot auction through the HTTP API, beside the wallet hold API alone and a
raw PostgreSQL hot-row update, and bids per second spread over 1,000 auctions, in one run.

    .venv/bin/python scripts/bench/auction_bids.py                    defaults (8 s per phase)
    .venv/bin/python scripts/bench/auction_bids.py --duration 15 --clients 32 --workers 2 --threads 8
    .venv/bin/python scripts/bench/auction_bids.py --json             one JSON document instead of a table

What it does, all on loopback against the devstack PostgreSQL and Redis (nothing else is touched):

1. starts the real wallet-service (gunicorn) on a throwaway database, migrated and seeded with a
   float, and funds ``--clients`` members through its internal API; starts auction-service
   (gunicorn, ``--workers`` x ``--threads`` gthread) on a throwaway database of its own, with a
   throwaway RSA key served as JWKS (user and service tokens) and a stand-in for user-service's
   session check (``session_now``: one HTTP call per bid, as in production);
2. **raw PostgreSQL hot row**: ``--clients`` connections each running ``UPDATE hot SET n = n + 1
   WHERE id = 1`` in its own transaction (synchronous commit on): the ceiling of any design that
   serialises on one row;
3. **wallet hold API alone**: ``--clients`` clients each placing holds (``POST
   /api/v1/wallet/internal/holds``, reason bid_hold) on their own member's wallet;
4. **one hot auction**: ``--clients`` signed-in members bidding on ONE auction through ``POST
   /api/v1/auctions/<id>/bids`` with rising maximums (each bid: session check, the hold, the
   locked decision, the outbid hold's release);
5. **1,000 auctions**: the same clients, each bid on a random one of 1,000 auctions;
6. prints bids/s, p50 and p99 of accepted (201) bids, refusals, the goals (hot >= 300 bids/s with
   p99 < 100 ms; hot >= 0.5 x the wallet hold rate), checks the final hot auction against the
   wallet (one open bid hold, the leader's), and drops both databases.

Each phase runs ``--warmup`` seconds unmeasured, then ``--duration`` seconds measured. Clients run
on the same 2-core machine as PostgreSQL, Redis and both services: the figures are floors. Exit 0
when the goals are met, 1 when not, 2 on an error. Needs the devstack stores.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import random
import sys
import threading
import time
import uuid
from dataclasses import asdict, dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
AUCTION_DIR = ROOT / "services" / "auction-service"
sys.path.insert(0, str(AUCTION_DIR / "tests"))
sys.path.insert(0, str(AUCTION_DIR / "src"))

DOGE = 100_000_000
SPACING = 200 * DOGE  # above the largest increment, so rising maximums stay valid bids


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


@dataclass
class Figures:
    name: str
    clients: int
    ops: int
    per_s: float
    p50_ms: float
    p99_ms: float
    refused: int
    errors: int


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000


class Jwks:
    """A throwaway RSA key served as JWKS; signs user and service tokens."""

    def __init__(self) -> None:
        from dbay_common.testing.plugin import generate_rsa_keypair

        self.key = generate_rsa_keypair("bench")
        document = json.dumps({"keys": [self.key.jwk]}).encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path.startswith("/me/session") or "/me/session" in self.path:
                    header = self.headers.get("Authorization", "")
                    claims = json.loads(_b64(header.split(".")[1])) if header.count(".") == 2 else {}
                    body = json.dumps(
                        {
                            "session_id": claims.get("sid", ""),
                            "user_id": claims.get("sub", ""),
                            "active": True,
                            "email_verified": True,
                            "mfa_enabled": False,
                        }
                    ).encode()
                else:
                    body = document
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return

        ThreadingHTTPServer.daemon_threads = True
        ThreadingHTTPServer.request_queue_size = 512
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def token(self, **claims: Any) -> str:
        from dbay_common.testing.plugin import sign_token

        return sign_token(self.key, exp=int(time.time()) + 3 * 3600, **claims)


def _b64(part: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def run_clients(
    clients: int, warmup: float, duration: float, work: Any
) -> tuple[list[float], int, int, float]:
    """Run ``work(index, record)`` on ``clients`` threads; ``record(seconds, outcome)`` after each op."""
    latencies: list[float] = []
    counts = {"refused": 0, "errors": 0}
    lock = threading.Lock()
    start = time.monotonic()
    measure_from, stop_at = start + warmup, start + warmup + duration

    def record(seconds: float, outcome: str) -> None:
        now = time.monotonic()
        if not measure_from <= now < stop_at:
            return
        with lock:
            if outcome == "ok":
                latencies.append(seconds)
            else:
                counts[outcome] += 1

    def loop(index: int) -> None:
        while time.monotonic() < stop_at:
            work(index, record)

    threads = [threading.Thread(target=loop, args=(index,)) for index in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, counts["refused"], counts["errors"], duration


def figures(name: str, clients: int, result: tuple[list[float], int, int, float]) -> Figures:
    latencies, refused, errors, seconds = result
    return Figures(
        name,
        clients,
        len(latencies),
        len(latencies) / seconds,
        percentile(latencies, 0.5),
        percentile(latencies, 0.99),
        refused,
        errors,
    )


class Connection(threading.local):
    def get(self, port: int) -> http.client.HTTPConnection:
        connection = getattr(self, f"c{port}", None)
        if connection is None:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            setattr(self, f"c{port}", connection)
        return connection

    def post(self, port: int, path: str, body: dict[str, Any], headers: dict[str, str]) -> tuple[int, Any]:
        for attempt in range(2):
            connection = self.get(port)
            try:
                connection.request(
                    "POST", path, json.dumps(body), {"Content-Type": "application/json", **headers}
                )
                response = connection.getresponse()
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
            except (OSError, http.client.HTTPException):
                connection.close()
                setattr(self, f"c{port}", None)
                if attempt:
                    raise
        raise AssertionError("unreachable")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=8.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--clients", type=int, default=24)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--auctions", type=int, default=1000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    import psycopg
    from peers import ServiceProcess, WalletPeer, postgres_url, service_env

    jwks = Jwks()
    service_token = jwks.token(aud="dbay-internal", sub="auction-bench", roles=["service"])
    say("starting wallet-service ...")
    wallet = WalletPeer(
        jwks_url=f"{jwks.url}/jwks.json",
        service_token=service_token,
        workers=args.workers,
        threads=args.threads,
    )
    auction_db = f"bench_auction_{uuid.uuid4().hex[:10]}"
    auction: ServiceProcess | None = None
    try:
        with psycopg.connect(postgres_url("postgres"), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{auction_db}"')
        env = service_env(
            DJANGO_SETTINGS_MODULE="auction_service.settings",
            DATABASE_URL=postgres_url(auction_db),
            JWT_JWKS_URL=f"{jwks.url}/jwks.json",
            WALLET_SERVICE_URL=wallet.url,
            USER_SERVICE_URL=jwks.url,
            SERVICE_TOKEN_PRIVATE_KEY=jwks.key.private_pem.decode(),
            SERVICE_TOKEN_KID=jwks.key.kid,
            DBAY_LOG_LEVEL="WARNING",
        )
        os.environ.update(env)
        import subprocess

        done = subprocess.run(
            [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
            cwd=AUCTION_DIR,
            env=env,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        import django

        django.setup()
        from django.utils import timezone

        from auction_service.auctions.models import Auction

        now = timezone.now()
        seller = uuid.uuid4()
        ids = [uuid.uuid4() for _ in range(args.auctions + 1)]
        Auction.objects.bulk_create(
            Auction(
                listing_id=listing_id,
                seller_id=seller,
                status="open",
                start_price_koinu=DOGE,
                current_price_koinu=DOGE,
                starts_at=now,
                ends_at=now + timezone.timedelta(days=2),
                original_ends_at=now + timezone.timedelta(days=2),
                title="bench",
            )
            for listing_id in ids
        )
        hot, spread = ids[0], ids[1:]
        members = [uuid.uuid4() for _ in range(args.clients)]
        say(f"funding {len(members)} members ...")
        for user_id in members:
            wallet.fund(user_id, 5_000_000 * DOGE)
        tokens = [
            jwks.token(sub=str(user_id), roles=["buyer"], email_verified=True, sid=uuid.uuid4().hex)
            for user_id in members
        ]
        say("starting auction-service ...")
        auction = ServiceProcess(
            "auction_service.wsgi:application", AUCTION_DIR, env, workers=args.workers, threads=args.threads
        )
        results: list[Figures] = []
        local = Connection()

        # 2. raw PostgreSQL hot row
        with psycopg.connect(postgres_url(auction_db), autocommit=True) as connection:
            connection.execute("CREATE TABLE bench_hot (id int PRIMARY KEY, n bigint NOT NULL)")
            connection.execute("INSERT INTO bench_hot VALUES (1, 0)")
        pg = threading.local()

        def raw(index: int, record: Any) -> None:
            connection = getattr(pg, "connection", None)
            if connection is None:
                connection = pg.connection = psycopg.connect(postgres_url(auction_db), autocommit=True)
            began = time.monotonic()
            connection.execute("UPDATE bench_hot SET n = n + 1 WHERE id = 1")
            record(time.monotonic() - began, "ok")

        say("raw PostgreSQL hot row ...")
        results.append(
            figures(
                "raw PostgreSQL hot-row UPDATE",
                args.clients,
                run_clients(args.clients, args.warmup, args.duration, raw),
            )
        )

        # 3. wallet hold API alone
        def hold(index: int, record: Any) -> None:
            began = time.monotonic()
            status, _ = local.post(
                wallet.server.port,
                "/api/v1/wallet/internal/holds",
                {
                    "hold_id": str(uuid.uuid4()),
                    "user_id": str(members[index]),
                    "amount_koinu": str(DOGE),
                    "reason": "bid_hold",
                    "reference": {"bench": True},
                },
                wallet.headers,
            )
            record(time.monotonic() - began, "ok" if status == 201 else "errors")

        say("wallet hold API ...")
        results.append(
            figures(
                "wallet hold API (POST holds)",
                args.clients,
                run_clients(args.clients, args.warmup, args.duration, hold),
            )
        )

        # 4. one hot auction; 5. spread over the auctions
        counters = {listing_id: itertools.count(1) for listing_id in ids}
        counter_lock = threading.Lock()
        assert auction is not None
        port = auction.port

        def bidder(targets: list[uuid.UUID]) -> Any:
            def bid(index: int, record: Any) -> None:
                listing_id = targets[0] if len(targets) == 1 else random.choice(targets)  # noqa: S311 - load spread
                with counter_lock:
                    step = next(counters[listing_id])
                headers = {"Authorization": f"Bearer {tokens[index]}", "Idempotency-Key": uuid.uuid4().hex}
                began = time.monotonic()
                try:
                    status, body = local.post(
                        port,
                        f"/api/v1/auctions/{listing_id}/bids",
                        {"max_amount_koinu": str(DOGE + step * SPACING)},
                        headers,
                    )
                except (OSError, http.client.HTTPException):
                    record(time.monotonic() - began, "errors")
                    return
                outcome = "ok" if status == 201 else "refused" if status in (400, 409) else "errors"
                if outcome == "errors":
                    say(f"bid answered {status}: {body}")
                record(time.monotonic() - began, outcome)

            return bid

        say("one hot auction ...")
        results.append(
            figures(
                "ONE hot auction (POST bids)",
                args.clients,
                run_clients(args.clients, args.warmup, args.duration, bidder([hot])),
            )
        )
        say(f"{len(spread)} auctions ...")
        results.append(
            figures(
                f"{len(spread)} auctions (POST bids)",
                args.clients,
                run_clients(args.clients, args.warmup, args.duration, bidder(spread)),
            )
        )

        # The hot auction against the wallet: exactly one open bid hold for it, the leader's maximum.
        from auction_service.auctions.closing import holds_sweep

        time.sleep(1)
        holds_sweep(now=timezone.now() + timezone.timedelta(seconds=5))
        final = Auction.objects.get(pk=hot)
        hot_holds = wallet.sql(
            """SELECT count(*) FROM ledger_transfer h WHERE h.kind = 'pending'
               AND h.reference->>'listing_id' = %s
               AND NOT EXISTS (SELECT 1 FROM ledger_transfer r WHERE r.pending_id = h.id)""",
            str(hot),
        )
        audit = wallet.audit()
        check = {
            "hot_open_bid_holds": int(hot_holds[0][0]),
            "hot_bid_count": final.bid_count,
            "ledger_sum": audit["sum"],
            "ledger_pending_sum": audit["pending_sum"],
            "audit_findings": len(audit["findings"]),
        }

        raw_fig, wallet_fig, hot_fig, _spread = results
        goals = {
            "hot >= 300 bids/s": hot_fig.per_s >= 300,
            "hot p99 < 100 ms": hot_fig.p99_ms < 100,
            "hot >= 0.5 x wallet hold rate": hot_fig.per_s >= 0.5 * wallet_fig.per_s,
            "one open hold on the hot auction": check["hot_open_bid_holds"] == 1,
            "ledger sums to zero": audit["sum"] == 0 and audit["pending_sum"] == 0 and not audit["findings"],
        }
        if args.json:
            print(
                json.dumps(
                    {
                        "figures": [asdict(item) for item in results],
                        "check": check,
                        "goals": goals,
                        "ratio_hot_to_wallet": hot_fig.per_s / max(wallet_fig.per_s, 1e-9),
                    },
                    indent=2,
                )
            )
        else:
            print(
                f"{'phase':38} {'clients':>7} {'ops':>7} {'ops/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
                f"{'refused':>7} {'errors':>6}"
            )
            for item in results:
                print(
                    f"{item.name:38} {item.clients:7} {item.ops:7} {item.per_s:8.1f} {item.p50_ms:8.1f} "
                    f"{item.p99_ms:8.1f} {item.refused:7} {item.errors:6}"
                )
            print(
                f"hot / wallet-hold rate: {hot_fig.per_s / max(wallet_fig.per_s, 1e-9):.2f}; "
                f"hot / raw hot-row rate: {hot_fig.per_s / max(raw_fig.per_s, 1e-9):.3f}"
            )
            print("check:", json.dumps(check))
            for goal, met in goals.items():
                print(f"  {'met ' if met else 'MISS'} {goal}")
        return 0 if all(goals.values()) else 1
    finally:
        if auction is not None:
            auction.stop()
        wallet.stop()
        from django.db import connections

        connections.close_all()
        with psycopg.connect(postgres_url("postgres"), autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{auction_db}" WITH (FORCE)')


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(2)
