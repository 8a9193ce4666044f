#!/usr/bin/env python3
"""Listing detail served from the Memcached read cache vs built from PostgreSQL, through gunicorn.

    .venv/bin/python scripts/bench/listing_detail_cache.py                   defaults (3000 requests a phase)
    .venv/bin/python scripts/bench/listing_detail_cache.py --requests 6000 --concurrency 16
    .venv/bin/python scripts/bench/listing_detail_cache.py --in-process     Django's handler, no HTTP

What it does, all on loopback:

1. creates a throwaway PostgreSQL database (``listing_bench_<random>`` on the devstack server),
   migrates it and seeds ``--listings`` demo listings with photos (``manage.py seed_demo``, the real
   service functions; photos in a temporary folder, Celery messages to Redis db 13);
2. starts listing-service under gunicorn on a free 127.0.0.1 port (``--workers 2 --threads 4`` as
   the devstack runs it) with ``LISTING_CACHE_TTL_S=0``: every detail misses the cache and is built
   from PostgreSQL (the listing, its category path, seller name, photo summary and photos), then
   offered to the cache, which keeps nothing. This is the **uncached** figure;
3. restarts it with the default lifetime (300 s): after one warm-up pass over the listings every
   detail comes from Memcached. This is the **cached** figure;
4. in each phase sends ``--requests`` anonymous ``GET /api/v1/listings/<id>`` (cycling over the
   listings) from ``--concurrency`` client threads with keep-alive connections, after a warm-up, and
   checks every answer is a 200 for the right listing;
5. prints requests per second and latency percentiles of both, and their ratio (goal: cached at
   least 5 x uncached); then stops gunicorn, drops the database and deletes its Redis keys.

``--in-process`` replaces gunicorn and HTTP with Django's handler called from ``--concurrency``
threads in one process (``django.test.Client``): the cost of the view and its stores alone.

Both phases count the view in Redis (one ``HINCRBY`` per anonymous view), as production does. The
client runs on the same machine and takes CPU from the server, so the figures are floors. Needs the
devstack stores (``python3 scripts/devstack start-stores``).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import closing
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SERVICE_DIR = ROOT / "services" / "listing-service"
VENV_BIN = ROOT / ".venv" / "bin"
HOST = "127.0.0.1"
BENCH_REDIS_DB = 13


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def pg_port() -> int:
    return int(os.environ.get("DBAY_PG_PORT", "55432"))


def redis_port() -> int:
    return int(os.environ.get("DBAY_REDIS_PORT", "56379"))


def admin_sql(statement: str) -> None:
    import psycopg

    with psycopg.connect(f"postgres://postgres@{HOST}:{pg_port()}/postgres", autocommit=True) as connection:
        connection.execute(statement)


def listing_ids(database: str) -> list[str]:
    import psycopg

    with psycopg.connect(f"postgres://postgres@{HOST}:{pg_port()}/{database}") as connection:
        rows = connection.execute(
            "SELECT id FROM listings_listing WHERE status <> 'draft' ORDER BY id"
        ).fetchall()
    return [str(row[0]) for row in rows]


def get(connection: http.client.HTTPConnection, path: str) -> tuple[int, dict[str, Any]]:
    connection.request("GET", path, headers={"User-Agent": "dbay-bench", "Accept": "application/json"})
    response = connection.getresponse()
    data = response.read()
    return response.status, (json.loads(data) if data else {})


def wait_until_up(port: int, process: subprocess.Popen[bytes], timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with status {process.returncode}")
        try:
            with closing(http.client.HTTPConnection(HOST, port, timeout=2)) as connection:
                if get(connection, "/health/live")[0] == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer /health/live in time")


def percentile(sorted_values: list[float], fraction: float) -> float:
    index = min(len(sorted_values) - 1, max(0, round(fraction * (len(sorted_values) - 1))))
    return sorted_values[index]


def run_load(port: int, ids: list[str], total: int, concurrency: int) -> tuple[list[float], int, float]:
    """``total`` detail requests from ``concurrency`` threads; (latencies in s, failures, wall time)."""
    latencies: list[float] = []
    failures = 0
    lock = threading.Lock()
    next_index = [0]

    def worker() -> None:
        nonlocal failures
        with closing(http.client.HTTPConnection(HOST, port, timeout=60)) as connection:
            while True:
                with lock:
                    if next_index[0] >= total:
                        return
                    listing_id = ids[next_index[0] % len(ids)]
                    next_index[0] += 1
                started = time.perf_counter()
                try:
                    status, body = get(connection, f"/api/v1/listings/{listing_id}")
                    ok = status == 200 and body.get("listing_id") == listing_id
                except (OSError, http.client.HTTPException, ValueError):
                    ok = False
                    connection.close()
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    failures += 0 if ok else 1

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, failures, time.perf_counter() - started


def start_gunicorn(env: dict[str, str], port: int, workers: int, threads: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "listing_service.wsgi:application",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--log-level",
            "warning",
        ],
        cwd=SERVICE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    wait_until_up(port, process)
    return process


def stop(process: subprocess.Popen[bytes] | None) -> None:
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)  # our own process group only
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)


IN_PROCESS_RUNNER = """
import json, sys, threading, time
import django
django.setup()
from django.test import Client

ids, total, concurrency, warmup = json.loads(sys.argv[1])

def load(count, threads):
    latencies, failures, lock, index = [], [0], threading.Lock(), [0]
    def worker():
        client = Client()
        while True:
            with lock:
                if index[0] >= count:
                    return
                listing_id = ids[index[0] % len(ids)]
                index[0] += 1
            started = time.perf_counter()
            response = client.get(f"/api/v1/listings/{listing_id}")
            ok = response.status_code == 200 and response.json().get("listing_id") == listing_id
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                failures[0] += 0 if ok else 1
    workers = [threading.Thread(target=worker) for _ in range(threads)]
    started = time.perf_counter()
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    return latencies, failures[0], time.perf_counter() - started

load(max(len(ids), warmup), min(concurrency, len(ids)))
print(json.dumps(load(total, concurrency)))
"""


def phase_in_process(
    env: dict[str, str], ids: list[str], args: argparse.Namespace
) -> tuple[list[float], int, float]:
    """The same requests through Django's handler in one process with threads (no HTTP, no gunicorn)."""
    result = subprocess.run(
        [
            str(VENV_BIN / "python"),
            "-c",
            IN_PROCESS_RUNNER,
            json.dumps([ids, args.requests, args.concurrency, args.warmup]),
        ],
        cwd=SERVICE_DIR,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    latencies, failures, wall_s = json.loads(result.stdout.strip().splitlines()[-1])
    return latencies, failures, wall_s


def phase(
    name: str, env: dict[str, str], ids: list[str], args: argparse.Namespace
) -> tuple[list[float], int, float]:
    if args.in_process:
        return phase_in_process(env, ids, args)
    port = free_port()
    process = start_gunicorn(env, port, args.workers, args.threads)
    try:
        # Warm-up: every listing once (fills the cache in the cached phase), plus imports and connections.
        run_load(port, ids, max(len(ids), args.warmup), min(args.concurrency, len(ids)))
        latencies, failures, wall_s = run_load(port, ids, args.requests, args.concurrency)
    finally:
        stop(process)
    if failures:
        print(f"  {name}: {failures} of {args.requests} requests failed", file=sys.stderr)
    return latencies, failures, wall_s


def describe(name: str, latencies: list[float], failures: int, wall_s: float) -> float:
    ordered = sorted(latencies)
    rate = len(latencies) / wall_s
    print(
        f"  {name:9} {rate:8.1f} requests/s   latency ms: mean {statistics.mean(ordered) * 1000:6.2f}  "
        f"p50 {percentile(ordered, 0.5) * 1000:6.2f}  p95 {percentile(ordered, 0.95) * 1000:6.2f}  "
        f"p99 {percentile(ordered, 0.99) * 1000:6.2f}   failures {failures}"
    )
    return rate


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=3000, help="timed requests per phase (default 3000)")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads (default 8)")
    parser.add_argument("--listings", type=int, default=60, help="demo listings to read (default 60)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2, as devstack)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (default 4, as devstack)")
    parser.add_argument("--warmup", type=int, default=200, help="untimed requests first (default 200)")
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="call Django's handler from threads in one process instead of HTTP through gunicorn",
    )
    args = parser.parse_args()
    if not (1 <= args.requests <= 100_000 and 1 <= args.concurrency <= 256 and 1 <= args.listings <= 2000):
        parser.error("--requests 1..100000, --concurrency 1..256, --listings 1..2000")

    database = f"listing_bench_{uuid.uuid4().hex[:10]}"
    view_prefix = f"bench:{uuid.uuid4().hex[:8]}:views:"
    photos = tempfile.TemporaryDirectory(prefix="listing-bench-photos-")
    base_env = {
        **os.environ,
        "DBAY_ENV": "development",
        "DJANGO_SETTINGS_MODULE": "listing_service.settings",
        "DATABASE_URL": f"postgres://postgres@{HOST}:{pg_port()}/{database}",
        "REDIS_URL": f"redis://{HOST}:{redis_port()}/{BENCH_REDIS_DB}",
        "PHOTO_STORAGE_DIR": photos.name,
        "LISTING_VIEW_KEY_PREFIX": view_prefix,
        "DBAY_SEED_DEMO": "1",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    admin_sql(f'CREATE DATABASE "{database}"')
    try:
        for command in (
            ["migrate", "--no-input", "-v", "0"],
            ["seed_demo", "--listings", str(args.listings)],
        ):
            subprocess.run(
                [str(VENV_BIN / "python"), "manage.py", *command],
                cwd=SERVICE_DIR,
                env=base_env,
                check=True,
                stdout=subprocess.DEVNULL,
            )
        ids = listing_ids(database)
        uncached = phase("uncached", {**base_env, "LISTING_CACHE_TTL_S": "0"}, ids, args)
        cached = phase("cached", {**base_env, "LISTING_CACHE_TTL_S": "300"}, ids, args)
    finally:
        admin_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        photos.cleanup()
        import redis

        client = redis.Redis(host=HOST, port=redis_port(), db=BENCH_REDIS_DB)
        # Our view counters and the Celery messages the seed queued (no worker reads db 13).
        for key in [*client.scan_iter(f"{view_prefix}*"), *client.scan_iter("_kombu.binding*"), b"celery"]:
            client.delete(key)
        client.close()

    load_1m, _load_5m, _load_15m = os.getloadavg()
    through = "Django's handler in-process" if args.in_process else f"gunicorn on {HOST}"
    print(f"listing detail benchmark (GET /api/v1/listings/<id> through {through})")
    print(
        f"  machine:  {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, load average {load_1m:.1f} "
        "at the end (other work on the machine skews the figures)"
    )
    print(
        f"  set-up:   {len(ids)} demo listings, {args.requests} requests a phase from {args.concurrency} "
        + (
            "threads"
            if args.in_process
            else f"keep-alive clients, gunicorn --workers {args.workers} --threads {args.threads}"
        )
    )
    uncached_rate = describe("uncached", *uncached)
    cached_rate = describe("cached", *cached)
    ratio = cached_rate / uncached_rate
    print(f"  cached / uncached: {ratio:.1f} x (goal: at least 5 x)")
    return 0 if not (uncached[1] or cached[1]) else 1


if __name__ == "__main__":
    sys.exit(main())
