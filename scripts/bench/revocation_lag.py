#!/usr/bin/env python3
"""How long a revoked session's access token keeps working in each service, through the gateway.

    .venv/bin/python scripts/bench/revocation_lag.py                 6 rounds against http://127.0.0.1:3000
    .venv/bin/python scripts/bench/revocation_lag.py --rounds 10 --base-url http://127.0.0.1:3000

Needs the whole stack (`make up`): user-service publishes `session.revoked` through its outbox, and
every service's consumer lists it in the service's own Redis (docs/adr/0006-session-revocation.md).

It registers one member; each round signs in twice (sessions S1 and S2), checks that S1's access token is
accepted by every service, then revokes S1 from S2 (`DELETE /api/v1/user/me/sessions/{S1}`) and
polls every service with S1's token every 10 ms until it answers 401 `session_revoked`. It prints,
per service, the lag from the revocation's answer to the first refusal (p50 and max over the
rounds), and whether `GET /api/v1/user/me/session` (what money and security actions ask, at once)
refused S1 on the first try. Exit status 0 when every service refused within 2 s in every round.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import urllib.error
import urllib.request
import uuid
from typing import Any

#: One route per service that checks a presented token (the API index checks it too).
PROBES = {
    "user-service": "/api/v1/user/me",
    "wallet-service": "/api/v1/wallet/balance",
    "listing-service": "/api/v1/listings/",
    "auction-service": "/api/v1/auctions/",
    "order-service": "/api/v1/order/",
    "notification-service": "/api/v1/notifications/",
    "search-gateway": "/api/v1/search",
    "messaging-service": "/api/v1/messaging/",
}
GOAL_S = 2.0
POLL_S = 0.01
GIVE_UP_S = 20.0


def call(base: str, method: str, path: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback only
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            return error.code, json.loads(raw) if raw else None
        except ValueError:
            return error.code, None


def sign_in(base: str, login: str, password: str) -> dict[str, Any]:
    status, body = call(base, "POST", "/api/v1/user/auth/login", {"login": login, "password": password})
    if status != 200:
        raise SystemExit(f"sign-in answered {status}: {body}")
    return body


PASSWORD = "Revocation-Otter-Harbor-42"


def register(base: str) -> str:
    name = f"lag_{uuid.uuid4().hex[:10]}"
    status, body = call(
        base,
        "POST",
        "/api/v1/user/auth/register",
        {"username": name, "email": f"{name}@example.test", "password": PASSWORD},
    )
    if status not in (200, 201, 202):
        raise SystemExit(f"registration answered {status}: {body}")
    return name


def one_round(base: str, name: str) -> tuple[dict[str, float], bool]:
    password = PASSWORD
    first = sign_in(base, name, password)
    second = sign_in(base, name, password)
    token = first["access_token"]
    status, me = call(base, "GET", "/api/v1/user/me/session", token=token)
    if status != 200:
        raise SystemExit(f"me/session answered {status}: {me}")
    session_id = me["session_id"]
    for service, path in PROBES.items():
        status, body = call(base, "GET", path, token=token)
        if status >= 400:
            raise SystemExit(f"{service} refused a live session: {status} {body}")

    status, body = call(
        base, "DELETE", f"/api/v1/user/me/sessions/{session_id}", token=second["access_token"]
    )
    revoked_at = time.monotonic()
    if status not in (200, 204):
        raise SystemExit(f"revocation answered {status}: {body}")
    immediate, _ = call(base, "GET", "/api/v1/user/me/session", token=token)

    lags: dict[str, float] = {}
    pending = dict(PROBES)
    while pending and time.monotonic() - revoked_at < GIVE_UP_S:
        for service, path in list(pending.items()):
            status, body = call(base, "GET", path, token=token)
            if status == 401 and (body or {}).get("error", {}).get("code") == "session_revoked":
                lags[service] = time.monotonic() - revoked_at
                del pending[service]
        time.sleep(POLL_S)
    for service in pending:
        lags[service] = float("inf")
    return lags, immediate == 401


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base-url", default="http://127.0.0.1:3000")
    parser.add_argument(
        "--rounds", type=int, default=6, help="two sign-ins each; sign-in allows 30 per 5 minutes"
    )
    args = parser.parse_args()
    base = args.base_url.rstrip("/")
    results: dict[str, list[float]] = {service: [] for service in PROBES}
    immediate_refusals = 0
    name = register(base)
    for _ in range(args.rounds):
        lags, refused_at_once = one_round(base, name)
        immediate_refusals += refused_at_once
        for service, lag in lags.items():
            results[service].append(lag)
    print(f"revocation -> refusal, {args.rounds} rounds, polling every {POLL_S * 1000:.0f} ms")
    print(f"{'service':22} {'p50 ms':>8} {'max ms':>8}")
    worst = 0.0
    for service, lags in results.items():
        worst = max(worst, max(lags))
        print(f"{service:22} {statistics.median(lags) * 1000:8.0f} {max(lags) * 1000:8.0f}")
    print(f"me/session (money and security checks) refused at once: {immediate_refusals}/{args.rounds}")
    ok = worst <= GOAL_S and immediate_refusals == args.rounds
    print(f"goal: every service within {GOAL_S:.0f} s, money checks at once: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
