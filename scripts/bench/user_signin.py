#!/usr/bin/env python3
"""Sign-in throughput of user-service through the real HTTP stack on this machine.

    .venv/bin/python scripts/bench/user_signin.py                       defaults (300 sign-ins, 8 clients)
    .venv/bin/python scripts/bench/user_signin.py --requests 600 --concurrency 16 --workers 2 --threads 4

What it does, all on loopback:

1. creates a throwaway PostgreSQL database (``user_bench_<random>`` on the devstack server) and
   migrates it;
2. starts gunicorn with user-service on a free 127.0.0.1 port, configured as the devstack runs it
   (``--workers 2 --threads 4`` by default), with Redis db 13 for rate-limit state and the request
   limits raised so they do not refuse the benchmark (the limiter still runs on every request);
3. registers one member through ``POST auth/register``;
4. sends ``--requests`` ``POST auth/login`` requests from ``--concurrency`` client threads (each with
   a keep-alive connection) after a short warm-up, and checks every answer is a 200 with tokens;
5. prints requests per second, latency percentiles, the worker set-up and the password hasher;
6. stops gunicorn, drops the database and deletes its Redis keys.

Every sign-in verifies the password with the configured hasher (Argon2id), creates a session and a
refresh token, and signs an RS256 access token: this is the full cost of a sign-in. The client runs
on the same machine, so it takes some CPU from the server; the figure is a floor, not a ceiling.
Needs the devstack stores (``python3 scripts/devstack start-stores``).
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
import threading
import time
import uuid
from contextlib import closing
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SERVICE_DIR = ROOT / "services" / "user-service"
VENV_BIN = ROOT / ".venv" / "bin"
HOST = "127.0.0.1"
BENCH_REDIS_DB = 13
PASSWORD = "Benchmark-Otter-Harbor-42"
GENEROUS_LIMITS = ",".join(
    f"{name}=1000000/s" for name in ("login-ip", "login-account", "register-ip", "refresh-ip")
)


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


def request(
    connection: http.client.HTTPConnection, method: str, path: str, body: dict[str, object] | None = None
) -> tuple[int, dict[str, object]]:
    payload = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json", "User-Agent": "dbay-bench"} if payload else {}
    connection.request(method, path, body=payload, headers=headers)
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
                if request(connection, "GET", "/health/live")[0] == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer /health/live in time")


def hasher_description(env: dict[str, str]) -> str:
    code = (
        "import django; django.setup()\n"
        "from django.contrib.auth.hashers import get_hasher\n"
        "h = get_hasher()\n"
        "params = {k: getattr(h, k) for k in ('time_cost', 'memory_cost', 'parallelism', 'iterations') "
        "if hasattr(h, k)}\n"
        'print(f"{h.algorithm} {params}")\n'
    )
    result = subprocess.run(
        [str(VENV_BIN / "python"), "-c", code],
        cwd=SERVICE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def percentile(sorted_values: list[float], fraction: float) -> float:
    index = min(len(sorted_values) - 1, max(0, round(fraction * (len(sorted_values) - 1))))
    return sorted_values[index]


def run_load(port: int, login: str, total: int, concurrency: int) -> tuple[list[float], int, float]:
    """``total`` sign-ins from ``concurrency`` threads; (latencies in s, failures, wall time in s)."""
    latencies: list[float] = []
    failures = 0
    lock = threading.Lock()
    remaining = [total]

    def worker() -> None:
        nonlocal failures
        with closing(http.client.HTTPConnection(HOST, port, timeout=60)) as connection:
            while True:
                with lock:
                    if remaining[0] <= 0:
                        return
                    remaining[0] -= 1
                started = time.perf_counter()
                try:
                    status, body = request(
                        connection, "POST", "/api/v1/user/auth/login", {"login": login, "password": PASSWORD}
                    )
                    ok = status == 200 and "access_token" in body
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


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=300, help="sign-ins to time (default 300, max 20000)")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads (default 8, max 256)")
    parser.add_argument(
        "--workers", type=int, default=2, help="gunicorn worker processes (default 2, as devstack)"
    )
    parser.add_argument(
        "--threads", type=int, default=4, help="threads per gunicorn worker (default 4, as devstack)"
    )
    parser.add_argument("--warmup", type=int, default=16, help="untimed sign-ins first (default 16)")
    args = parser.parse_args()
    if not (1 <= args.requests <= 20000 and 1 <= args.concurrency <= 256 and 1 <= args.workers <= 64):
        parser.error("--requests 1..20000, --concurrency 1..256, --workers 1..64")

    database = f"user_bench_{uuid.uuid4().hex[:10]}"
    port = free_port()
    env = {
        **os.environ,
        "DBAY_ENV": "development",
        "DJANGO_SETTINGS_MODULE": "user_service.settings",
        "DATABASE_URL": f"postgres://postgres@{HOST}:{pg_port()}/{database}",
        "REDIS_URL": f"redis://{HOST}:{redis_port()}/{BENCH_REDIS_DB}",
        "RATE_LIMITS": GENEROUS_LIMITS,
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    admin_sql(f'CREATE DATABASE "{database}"')
    gunicorn: subprocess.Popen[bytes] | None = None
    try:
        subprocess.run(
            [str(VENV_BIN / "python"), "manage.py", "migrate", "--no-input", "-v", "0"],
            cwd=SERVICE_DIR,
            env=env,
            check=True,
        )
        hasher = hasher_description(env)
        gunicorn = subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"),
                "user_service.wsgi:application",
                "--bind",
                f"{HOST}:{port}",
                "--workers",
                str(args.workers),
                "--threads",
                str(args.threads),
                "--log-level",
                "warning",
            ],
            cwd=SERVICE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_until_up(port, gunicorn)
        username = f"bench_{uuid.uuid4().hex[:8]}"
        with closing(http.client.HTTPConnection(HOST, port, timeout=60)) as connection:
            status, body = request(
                connection,
                "POST",
                "/api/v1/user/auth/register",
                {"email": f"{username}@example.com", "username": username, "password": PASSWORD},
            )
        if status != 201:
            raise SystemExit(f"registration failed: {status} {body}")
        if args.warmup:
            run_load(port, username, args.warmup, min(args.concurrency, args.warmup))
        latencies, failures, wall_s = run_load(port, username, args.requests, args.concurrency)
    finally:
        if gunicorn is not None and gunicorn.poll() is None:
            os.killpg(gunicorn.pid, signal.SIGTERM)  # our own process group only
            try:
                gunicorn.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(gunicorn.pid, signal.SIGKILL)
        admin_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        import redis

        client = redis.Redis(host=HOST, port=redis_port(), db=BENCH_REDIS_DB)
        # Our rate-limit state and the Celery messages registration queued (no worker reads db 13).
        for key in [
            *client.scan_iter("ratelimit:user-service:*"),
            *client.scan_iter("_kombu.binding*"),
            b"celery",
        ]:
            client.delete(key)
        client.close()

    ordered = sorted(latencies)
    load_1m, _load_5m, _load_15m = os.getloadavg()
    print(f"sign-in benchmark (POST /api/v1/user/auth/login through gunicorn on {HOST}:{port})")
    print(
        f"  machine:      {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, "
        f"load average {load_1m:.1f} at the end (other work on the machine skews the figures)"
    )
    print(f"  server:       gunicorn {args.workers} workers x {args.threads} threads (gthread)")
    print(f"  hasher:       {hasher}")
    print(
        f"  load:         {args.requests} sign-ins, {args.concurrency} client threads, {args.warmup} warm-up"
    )
    print(f"  failures:     {failures}")
    print(f"  throughput:   {args.requests / wall_s:.1f} sign-ins/s ({wall_s:.2f} s)")
    print(
        "  latency ms:   "
        f"p50 {percentile(ordered, 0.50) * 1000:.0f}  p90 {percentile(ordered, 0.90) * 1000:.0f}  "
        f"p99 {percentile(ordered, 0.99) * 1000:.0f}  max {ordered[-1] * 1000:.0f}  "
        f"mean {statistics.fmean(ordered) * 1000:.0f}"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
