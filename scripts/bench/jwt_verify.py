#!/usr/bin/env python3
"""Access-token verifications per second in the shared verifier (dbay_common.jwt.JwtVerifier).

    .venv/bin/python scripts/bench/jwt_verify.py                     defaults (20000 verifications)
    .venv/bin/python scripts/bench/jwt_verify.py --iterations 50000 --threads 4

Measures what every service does on every authenticated request: ``JwtVerifier.verify`` of an
RS256 access token shaped like user-service's (same claims, 2048-bit key, ``kid`` header), with the
keys fetched once from a JWKS served over HTTP on 127.0.0.1 and then cached, as in production. The
script counts the JWKS fetches to show the cache holds (1 expected). It also times the rejection of
a forged token (bad signature), which is what a flood of junk costs.

Single process; ``--threads`` runs that many verifying threads on one verifier (the GIL limits
the gain; services scale with worker processes). Loopback only; no stores needed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt as pyjwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from dbay_common.jwt import JwtVerifier, TokenInvalid

HOST = "127.0.0.1"
ISSUER = "dbay-user-service"
AUDIENCE = "dbay-api"


def serve_jwks(document: dict[str, Any]) -> tuple[ThreadingHTTPServer, str, list[int]]:
    hits = [0]
    body = json.dumps(document).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits[0] += 1
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer((HOST, 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://{HOST}:{server.server_address[1]}/api/v1/user/.well-known/jwks.json", hits


def make_tokens(count: int) -> tuple[list[str], dict[str, Any], str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    kid = uuid.uuid4().hex
    jwk = RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    jwk.update({"kid": kid, "use": "sig", "alg": "RS256"})
    now = int(time.time())
    tokens = []
    for _ in range(count):
        claims = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": str(uuid.uuid4()),
            "roles": ["buyer", "seller"],
            "sid": str(uuid.uuid4()),
            "amr": ["pwd", "otp"],
            "auth_time": now,
            "mfa_at": now,
            "email_verified": True,
            "iat": now,
            "nbf": now,
            "exp": now + 900,
            "jti": uuid.uuid4().hex,
        }
        tokens.append(pyjwt.encode(claims, key, algorithm="RS256", headers={"kid": kid, "typ": "JWT"}))
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = pyjwt.encode(
        pyjwt.decode(tokens[0], options={"verify_signature": False}),
        other,
        algorithm="RS256",
        headers={"kid": kid},
    )
    return tokens, {"keys": [jwk]}, forged


def timed_loop(verifier: JwtVerifier, tokens: list[str], iterations: int) -> list[float]:
    samples = []
    for index in range(iterations):
        started = time.perf_counter()
        verifier.verify(tokens[index % len(tokens)])
        samples.append(time.perf_counter() - started)
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--iterations", type=int, default=20000, help="verifications (default 20000, max 10^6)"
    )
    parser.add_argument("--threads", type=int, default=1, help="verifying threads (default 1, max 64)")
    parser.add_argument(
        "--tokens", type=int, default=200, help="distinct tokens cycled through (default 200)"
    )
    args = parser.parse_args()
    if not (1 <= args.iterations <= 1_000_000 and 1 <= args.threads <= 64 and 1 <= args.tokens <= 10_000):
        parser.error("--iterations 1..1000000, --threads 1..64, --tokens 1..10000")

    tokens, jwks, forged = make_tokens(args.tokens)
    server, url, hits = serve_jwks(jwks)
    try:
        verifier = JwtVerifier(issuer=ISSUER, audience=AUDIENCE, jwks_url=url)
        timed_loop(verifier, tokens, min(500, args.iterations))  # warm-up, first JWKS fetch

        per_thread = max(1, args.iterations // args.threads)
        results: list[list[float]] = [[] for _ in range(args.threads)]

        def run(slot: int) -> None:
            results[slot] = timed_loop(verifier, tokens, per_thread)

        threads = [threading.Thread(target=run, args=(slot,)) for slot in range(args.threads)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall_s = time.perf_counter() - started
        samples = sorted(sample for chunk in results for sample in chunk)

        rejected = 0
        reject_started = time.perf_counter()
        reject_count = min(5000, args.iterations)
        for _ in range(reject_count):
            try:
                verifier.verify(forged)
            except TokenInvalid:
                rejected += 1
        reject_s = time.perf_counter() - reject_started
    finally:
        server.shutdown()
        server.server_close()

    total = len(samples)
    load_1m = os.getloadavg()[0]
    print("JWT verification benchmark (dbay_common.jwt.JwtVerifier, RS256 2048-bit, JWKS over HTTP, cached)")
    print(
        f"  machine:       {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, "
        f"PyJWT {pyjwt.__version__}, load average {load_1m:.1f}"
    )
    print(
        f"  load:          {total} verifications of {args.tokens} distinct tokens, {args.threads} thread(s)"
    )
    print(f"  throughput:    {total / wall_s:,.0f} verifications/s ({wall_s:.2f} s)")
    print(
        "  latency us:    "
        f"p50 {samples[total // 2] * 1e6:.0f}  p99 {samples[min(total - 1, int(total * 0.99))] * 1e6:.0f}  "
        f"mean {statistics.fmean(samples) * 1e6:.0f}"
    )
    print(f"  forged token:  {rejected}/{reject_count} rejected, {reject_count / reject_s:,.0f} rejections/s")
    print(f"  JWKS fetches:  {hits[0]} (the cache held)" if hits[0] == 1 else f"  JWKS fetches:  {hits[0]}")
    return 0 if rejected == reject_count else 1


if __name__ == "__main__":
    sys.exit(main())
