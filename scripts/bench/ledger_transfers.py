#!/usr/bin/env python3
"""Internal transfers per second through the wallet ledger, against raw PostgreSQL, in one run.

    .venv/bin/python scripts/bench/ledger_transfers.py                  defaults (10 s per phase)
    .venv/bin/python scripts/bench/ledger_transfers.py --duration 20 --clients 16 --workers 3 --threads 4
    .venv/bin/python scripts/bench/ledger_transfers.py --json            one JSON document instead of a table

What it does, all on loopback against the devstack PostgreSQL (nothing else is touched):

1. creates a throwaway database ``ledger_bench_<random>``, migrates it (the ledger's real schema,
   constraints and triggers) and funds ``--accounts`` user wallets through the service layer;
2. **raw PostgreSQL**: the two-account transfer in its cheapest form, on plain tables in the same
   database (``raw_account(id, balance CHECK >= 0)``, ``raw_transfer(uuid pk, ...)``): per
   transaction two ``UPDATE`` s in id order and one ``INSERT``. Measured with ``pgbench`` (custom
   script, ``--clients`` connections, per-transaction log for percentiles) and with the same work
   from Python (psycopg, ``--clients`` processes), to separate the database's cost from Python's;
3. **service layer**: ``--clients`` processes calling ``transfer_create`` between random wallets
   (each call: validation, one transaction, the single locking statement);
4. **HTTP API**: gunicorn with the wallet-service on a free port (``--workers`` x ``--threads``
   gthread), ``--http-clients`` client processes with keep-alive connections sending
   ``POST /api/v1/wallet/internal/transfers`` with a service token (a throwaway RSA key served as
   JWKS by this script); every answer must be a 201;
5. audits the ledger (sums zero, every account equals the replay of its transfers), prints the
   figures and the goals (service >= 1/3 of raw pgbench; API >= 500 transfers/s with p99 < 50 ms),
   stops gunicorn and drops the database.

Each phase runs ``--warmup`` seconds unmeasured, then ``--duration`` seconds measured. Clients run
on the same machine as PostgreSQL and gunicorn, so they take CPU from them: the figures are floors.
Synchronous commit stays on throughout (docs/ledger.md section 5). Exit status 0 when both goals are met,
1 when not, 2 on an error. Needs the devstack stores (``python3 scripts/devstack start-stores``).
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import closing
from dataclasses import asdict, dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SERVICE_DIR = ROOT / "services" / "wallet-service"
VENV_BIN = ROOT / ".venv" / "bin"
HOST = "127.0.0.1"
ISSUER = "dbay-bench-issuer"
INTERNAL_AUDIENCE = "dbay-internal"
FUNDING_KOINU = 10**15  # per wallet: no transfer of the benchmark can run out of funds

PGBENCH_SCRIPT = """\
\\set a random(1, :accounts)
\\set b 1 + (:a + random(0, :accounts - 2)) % :accounts
\\set lo least(:a, :b)
\\set hi greatest(:a, :b)
BEGIN;
UPDATE raw_account SET balance = balance + CASE WHEN id = :a THEN -1 ELSE 1 END WHERE id = :lo;
UPDATE raw_account SET balance = balance + CASE WHEN id = :a THEN -1 ELSE 1 END WHERE id = :hi;
INSERT INTO raw_transfer (debit, credit, amount, created_at) VALUES (:a, :b, 1, now());
END;
"""

RAW_SCHEMA = """
CREATE TABLE raw_account (id bigint PRIMARY KEY, balance bigint NOT NULL CHECK (balance >= 0));
CREATE TABLE raw_transfer (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    debit bigint NOT NULL REFERENCES raw_account (id),
    credit bigint NOT NULL REFERENCES raw_account (id),
    amount bigint NOT NULL CHECK (amount > 0),
    created_at timestamptz NOT NULL
);
"""


# -- small utilities -----------------------------------------------------------------------------------


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def pg_port() -> int:
    return int(os.environ.get("DBAY_PG_PORT", "55432"))


def database_url(name: str) -> str:
    return f"postgres://postgres@{HOST}:{pg_port()}/{name}"


def admin_sql(statement: str) -> None:
    import psycopg

    with psycopg.connect(database_url("postgres"), autocommit=True) as connection:
        connection.execute(statement)


@dataclass
class Figures:
    """One measured phase: completed transfers, their rate and latency percentiles (ms)."""

    name: str
    clients: int
    transfers: int
    seconds: float
    per_second: float
    p50_ms: float | None
    p99_ms: float | None
    errors: int = 0

    @classmethod
    def of(
        cls, name: str, clients: int, latencies_s: list[float], seconds: float, errors: int = 0
    ) -> Figures:
        ordered = sorted(latencies_s)
        return cls(
            name=name,
            clients=clients,
            transfers=len(ordered),
            seconds=round(seconds, 2),
            per_second=round(len(ordered) / seconds, 1),
            p50_ms=round(percentile(ordered, 50) * 1000, 2) if ordered else None,
            p99_ms=round(percentile(ordered, 99) * 1000, 2) if ordered else None,
            errors=errors,
        )


def percentile(ordered: list[float], p: float) -> float:
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
    return ordered[index]


def run_processes(
    target: Any, clients: int, arguments: tuple[Any, ...], *, warmup_s: float, duration_s: float
) -> tuple[list[float], int, float]:
    """Start ``clients`` processes running ``target(*arguments, clock, queue)``; gather their latencies.

    Every process sets itself up (imports, connects), then waits for the others; the parent then
    opens one wall-clock window after a warm-up and every process measures exactly that window, so
    the aggregate rate is transfers / duration.
    """
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    clock = WindowClock(context, clients, warmup_s=warmup_s, duration_s=duration_s)
    processes = [context.Process(target=target, args=(*arguments, clock, queue)) for _ in range(clients)]
    for process in processes:
        process.start()
    try:
        clock.open_when_all_ready()
    except threading.BrokenBarrierError:
        result = queue.get(timeout=60)
        raise RuntimeError(result.get("fatal", "a client process failed during set-up")) from None
    latencies: list[float] = []
    errors = 0
    seconds = 0.0
    for _ in processes:
        result = queue.get(timeout=600)
        if "fatal" in result:
            raise RuntimeError(result["fatal"])
        latencies.extend(result["latencies"])
        errors += result["errors"]
        seconds = max(seconds, result["seconds"])
    for process in processes:
        process.join(timeout=60)
    return latencies, errors, seconds


class WindowClock:
    """The measuring window shared by the parent and its client processes (picklable for spawn)."""

    def __init__(self, context: Any, clients: int, *, warmup_s: float, duration_s: float) -> None:
        self.ready = context.Barrier(clients + 1, timeout=300)
        self.opened = context.Barrier(clients + 1, timeout=300)
        self.start = context.Value("d", 0.0)
        self.warmup_s = warmup_s
        self.duration_s = duration_s

    def open_when_all_ready(self) -> None:
        """Parent: once every client is set up, start the window ``warmup_s`` from now."""
        self.ready.wait()
        self.start.value = time.time() + self.warmup_s
        self.opened.wait()

    def abort(self) -> None:
        """Client that failed: release everyone waiting (they see a broken barrier)."""
        self.ready.abort()
        self.opened.abort()

    def wait_for_window(self) -> tuple[float, float]:
        """Client: report ready, then learn the window (start, end) in ``time.time()``."""
        self.ready.wait()
        self.opened.wait()
        start = float(self.start.value)
        return start, start + self.duration_s


def timed_loop(step: Any, clock: WindowClock) -> tuple[list[float], float]:
    """Wait for the window, call ``step()`` (warm-up) until it opens, then measure until it closes.

    Only calls that start inside the window count; returns their latencies and the window length.
    """
    start, end = clock.wait_for_window()
    while time.time() < start:
        step()
    latencies = []
    while True:
        before = time.monotonic()
        if time.time() >= end:
            break
        step()
        latencies.append(time.monotonic() - before)
    return latencies, end - start


# -- database set-up -----------------------------------------------------------------------------------


def django_setup(db_name: str) -> None:
    os.environ["DATABASE_URL"] = database_url(db_name)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wallet_service.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def prepare_database(db_name: str, accounts: int) -> None:
    admin_sql(f'CREATE DATABASE "{db_name}"')
    subprocess.run(
        [str(VENV_BIN / "python"), "manage.py", "migrate", "--verbosity", "0"],
        cwd=SERVICE_DIR,
        env={**os.environ, "DATABASE_URL": database_url(db_name), "LOG_LEVEL": "WARNING"},
        check=True,
        timeout=300,
    )
    import psycopg

    with psycopg.connect(database_url(db_name), autocommit=True) as connection:
        connection.execute(RAW_SCHEMA)
        connection.execute(
            "INSERT INTO raw_account SELECT g, %s FROM generate_series(1, %s) AS g", (FUNDING_KOINU, accounts)
        )
    # Fund the wallets through the service layer (the real path), and stash their ids for workers.
    django_setup(db_name)
    from django.db import connection as django_connection

    from wallet_service.ledger import services
    from wallet_service.ledger.chart import PlatformAccount

    for _ in range(accounts):
        wallet = services.account_user_wallet_get_or_create(user_id=uuid.uuid4())
        services.transfer_create(
            transfer_id=uuid.uuid4(),
            debit_account_id=PlatformAccount.CUSTODY.account_id,
            credit_account_id=wallet.id,
            amount_koinu=FUNDING_KOINU,
            reason="deposit",
        )
    with django_connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE ledger_account")
        cursor.execute("VACUUM ANALYZE ledger_transfer")
    django_connection.close()


def wallet_ids(db_name: str) -> list[tuple[str, str]]:
    """(account id, user id) of every wallet."""
    import psycopg

    with psycopg.connect(database_url(db_name)) as connection:
        rows = connection.execute(
            "SELECT id::text, user_id::text FROM ledger_account WHERE kind = 'user_wallet'"
        )
        return [(str(row[0]), str(row[1])) for row in rows]


# -- phase 1: raw PostgreSQL ----------------------------------------------------------------------------


def raw_pgbench(db_name: str, clients: int, accounts: int, warmup_s: float, duration_s: float) -> Figures:
    if shutil.which("pgbench") is None:
        raise RuntimeError("pgbench is not installed (apt-get install postgresql-client)")
    with tempfile.TemporaryDirectory(prefix="ledger-bench-") as directory:
        script = Path(directory) / "transfer.sql"
        script.write_text(PGBENCH_SCRIPT)
        base = ["pgbench", "--no-vacuum", f"--file={script}", f"--client={clients}", "--jobs=2"]
        base += [f"--define=accounts={accounts}"]
        database = [database_url(db_name)]
        subprocess.run(
            [*base, f"--time={max(1, round(warmup_s))}", *database],
            check=True,
            capture_output=True,
            timeout=300,
        )
        prefix = Path(directory) / "log"
        result = subprocess.run(
            [*base, f"--time={round(duration_s)}", "--log", f"--log-prefix={prefix}", *database],
            check=True,
            capture_output=True,
            text=True,
            timeout=300,
        )
        latencies = []
        for log in Path(directory).glob("log.*"):
            for line in log.read_text().splitlines():
                fields = line.split()
                if len(fields) >= 3 and fields[2].isdigit():
                    latencies.append(int(fields[2]) / 1_000_000)  # microseconds
    tps = next(
        (
            float(line.split("=")[1].split()[0])
            for line in result.stdout.splitlines()
            if line.startswith("tps =")
        ),
        None,
    )
    figures = Figures.of("raw PostgreSQL (pgbench, C client)", clients, latencies, duration_s)
    if tps is not None:
        figures.per_second = round(tps, 1)
    return figures


def _raw_psycopg_worker(db_name: str, accounts: int, clock: WindowClock, queue: Any) -> None:
    try:
        import psycopg

        connection = psycopg.connect(database_url(db_name), autocommit=True, prepare_threshold=0)
        rng = random.Random()  # noqa: S311 - picks accounts, not secrets

        def step() -> None:
            a, b = rng.sample(range(1, accounts + 1), 2)
            low, high = min(a, b), max(a, b)
            with connection.transaction():
                update = "UPDATE raw_account SET balance = balance + %s WHERE id = %s"
                connection.execute(update, (-1 if low == a else 1, low))
                connection.execute(update, (-1 if high == a else 1, high))
                connection.execute(
                    "INSERT INTO raw_transfer (debit, credit, amount, created_at) VALUES (%s, %s, 1, now())",
                    (a, b),
                )

        latencies, seconds = timed_loop(step, clock)
        connection.close()
        queue.put({"latencies": latencies, "errors": 0, "seconds": seconds})
    except Exception as error:  # reported to the parent, which stops the run
        queue.put({"fatal": repr(error)})
        clock.abort()


# -- phase 2: service layer -----------------------------------------------------------------------------


def _service_worker(db_name: str, hot: bool, clock: WindowClock, queue: Any) -> None:
    try:
        django_setup(db_name)
        from django.db import connection

        from wallet_service.ledger import services
        from wallet_service.ledger.chart import PlatformAccount
        from wallet_service.ledger.models import Account

        wallets = list(Account.objects.filter(kind="user_wallet").values_list("id", flat=True))
        fee_revenue = PlatformAccount.FEE_REVENUE.account_id
        rng = random.Random()  # noqa: S311 - picks accounts, not secrets

        def step() -> None:
            if hot:
                debit, credit = rng.choice(wallets), fee_revenue
            else:
                debit, credit = rng.sample(wallets, 2)
            services.transfer_create(
                transfer_id=uuid.uuid4(),
                debit_account_id=debit,
                credit_account_id=credit,
                amount_koinu=1,
                reason="transfer",
            )

        latencies, seconds = timed_loop(step, clock)
        connection.close()
        queue.put({"latencies": latencies, "errors": 0, "seconds": seconds})
    except Exception as error:
        queue.put({"fatal": repr(error)})
        clock.abort()


# -- phase 3: HTTP API ----------------------------------------------------------------------------------


class TokenKit:
    """A throwaway RSA key, its JWKS served over HTTP, and a service token signed with it."""

    def __init__(self) -> None:
        import jwt
        from cryptography.hazmat.primitives.asymmetric import rsa
        from jwt.algorithms import RSAAlgorithm

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
        jwk.update({"kid": "bench", "use": "sig", "alg": "RS256"})
        body = json.dumps({"keys": [jwk]}).encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer((HOST, 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.jwks_url = f"http://{HOST}:{self.server.server_address[1]}/jwks.json"
        now = int(time.time())
        self.token = jwt.encode(
            {
                "iss": ISSUER,
                "aud": INTERNAL_AUDIENCE,
                "sub": "bench-service",
                "roles": ["service"],
                "iat": now,
                "exp": now + 3600,
            },
            key,
            algorithm="RS256",
            headers={"kid": "bench"},
        )

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def start_gunicorn(
    db_name: str, port: int, workers: int, threads: int, jwks_url: str, worker_class: str = "gthread"
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(db_name),
        "DJANGO_SETTINGS_MODULE": "wallet_service.settings",
        "JWT_ISSUER": ISSUER,
        "JWT_JWKS_URL": jwks_url,
        "INTERNAL_JWT_AUDIENCE": INTERNAL_AUDIENCE,
        "LOG_LEVEL": "WARNING",
        "GUNICORN_CMD_ARGS": "",
    }
    process = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "wallet_service.wsgi:application",
            f"--bind={HOST}:{port}",
            f"--workers={workers}",
            f"--worker-class={worker_class}",
            f"--threads={threads}",
            "--keep-alive=30",
            "--log-level=warning",
        ],
        cwd=SERVICE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {process.stderr.read().decode() if process.stderr else ''}")
        try:
            with closing(http.client.HTTPConnection(HOST, port, timeout=2)) as connection:
                connection.request("GET", "/health/live")
                if connection.getresponse().status == 200:
                    return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("gunicorn did not answer /health/live within 60 s")


def _http_worker(
    port: int, token: str, wallets: list[tuple[str, str]], clock: WindowClock, queue: Any
) -> None:
    try:
        connection = http.client.HTTPConnection(HOST, port, timeout=30)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        rng = random.Random()  # noqa: S311 - picks accounts, not secrets
        errors = 0

        def step() -> None:
            nonlocal errors
            (_, debit_user), (_, credit_user) = rng.sample(wallets, 2)
            body = json.dumps(
                {
                    "transfer_id": str(uuid.uuid4()),
                    "debit": {"user_id": debit_user},
                    "credit": {"user_id": credit_user},
                    "amount_koinu": "1",
                    "reason": "transfer",
                }
            )
            connection.request("POST", "/api/v1/wallet/internal/transfers", body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            if response.status != 201:
                errors += 1

        latencies, seconds = timed_loop(step, clock)
        connection.close()
        queue.put({"latencies": latencies, "errors": errors, "seconds": seconds})
    except Exception as error:
        queue.put({"fatal": repr(error)})
        clock.abort()


def http_phase(args: argparse.Namespace, db_name: str, say: Any) -> Figures:
    """Start gunicorn, drive it from ``--http-clients`` processes, stop it; the measured figures."""
    tokens = TokenKit()
    port = free_port()
    setup = f"gunicorn {args.workers}x{args.threads} {args.worker_class} on :{port}"
    say(f"HTTP API: {setup}, {args.http_clients} clients ...")
    gunicorn = start_gunicorn(db_name, port, args.workers, args.threads, tokens.jwks_url, args.worker_class)
    try:
        latencies, errors, seconds = run_processes(
            _http_worker,
            args.http_clients,
            (port, tokens.token, wallet_ids(db_name)),
            warmup_s=args.warmup,
            duration_s=args.duration,
        )
    finally:
        gunicorn.terminate()
        try:
            gunicorn.wait(timeout=30)
        except subprocess.TimeoutExpired:
            gunicorn.kill()
        tokens.stop()
    name = f"HTTP API (gunicorn {args.workers}x{args.threads} {args.worker_class})"
    return Figures.of(name, args.http_clients, latencies, seconds, errors)


def http_only(args: argparse.Namespace, db_name: str) -> int:
    """``--http-only``: the HTTP phase alone, for trying server settings (the database is dropped by
    the caller's ``finally``)."""
    figures = http_phase(args, db_name, lambda text: print(text, file=sys.stderr, flush=True))
    print(json.dumps(asdict(figures)) if args.json else figures)
    return 0


# -- audit ------------------------------------------------------------------------------------------------


def audit() -> dict[str, Any]:
    from wallet_service.ledger.models import Transfer
    from wallet_service.ledger.selectors import ledger_audit_findings, ledger_sum

    findings = ledger_audit_findings()
    return {
        "transfers": Transfer.objects.count(),
        "ledger_sum": ledger_sum(),
        "findings": [asdict(finding) for finding in findings],
    }


# -- main -------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Ledger transfers/s: raw PostgreSQL vs the service layer vs the HTTP API (one run).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--duration", type=float, default=10.0, help="measured seconds per phase (1-120)")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds before each phase")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients in every phase (1-64)")
    parser.add_argument(
        "--http-clients", type=int, default=8, help="concurrent keep-alive HTTP clients (1-64)"
    )
    parser.add_argument("--accounts", type=int, default=1000, help="wallets to spread transfers over")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker (gthread)")
    parser.add_argument("--hot", action="store_true", help="also measure every transfer into one account")
    parser.add_argument("--skip-http", action="store_true", help="leave out the HTTP phase")
    parser.add_argument(
        "--http-only", action="store_true", help="only the HTTP phase (to try gunicorn settings; no goals)"
    )
    parser.add_argument(
        "--worker-class", default="gthread", choices=["gthread", "sync"], help="gunicorn worker class"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON document instead of a table")
    args = parser.parse_args(argv)
    if (
        not 1 <= args.duration <= 120
        or not 1 <= args.clients <= 64
        or not 1 <= args.http_clients <= 64
        or not 2 <= args.accounts <= 100_000
    ):
        parser.error("--duration 1-120, --clients and --http-clients 1-64, --accounts 2-100000")

    db_name = f"ledger_bench_{uuid.uuid4().hex[:10]}"
    results: list[Figures] = []
    try:
        say = (lambda *_: None) if args.json else (lambda text: print(text, file=sys.stderr, flush=True))
        say(f"preparing {db_name}: migrate, fund {args.accounts} wallets ...")
        prepare_database(db_name, args.accounts)

        if args.http_only:
            return http_only(args, db_name)
        say(f"raw PostgreSQL, pgbench, {args.clients} clients ...")
        results.append(raw_pgbench(db_name, args.clients, args.accounts, args.warmup, args.duration))
        say(f"raw PostgreSQL, psycopg, {args.clients} processes ...")
        latencies, errors, seconds = run_processes(
            _raw_psycopg_worker,
            args.clients,
            (db_name, args.accounts),
            warmup_s=args.warmup,
            duration_s=args.duration,
        )
        results.append(
            Figures.of("raw PostgreSQL (psycopg, Python)", args.clients, latencies, seconds, errors)
        )

        say(f"service layer, {args.clients} processes ...")
        latencies, errors, seconds = run_processes(
            _service_worker, args.clients, (db_name, False), warmup_s=args.warmup, duration_s=args.duration
        )
        results.append(
            Figures.of("service layer (transfer_create)", args.clients, latencies, seconds, errors)
        )
        if args.hot:
            say(f"service layer, one hot credit account, {args.clients} processes ...")
            latencies, errors, seconds = run_processes(
                _service_worker, args.clients, (db_name, True), warmup_s=args.warmup, duration_s=args.duration
            )
            results.append(
                Figures.of("service layer, all into fee_revenue", args.clients, latencies, seconds)
            )

        if not args.skip_http:
            results.append(http_phase(args, db_name, say))

        django_setup(db_name)
        report_audit = audit()
    finally:
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: S110 - Django may not be set up; nothing to close then
            pass
        admin_sql(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')

    by_name = {figures.name: figures for figures in results}
    raw = by_name["raw PostgreSQL (pgbench, C client)"]
    service = by_name["service layer (transfer_create)"]
    http = next((figures for name, figures in by_name.items() if name.startswith("HTTP")), None)
    goals = {
        "service_vs_raw_pgbench": round(service.per_second / raw.per_second, 3),
        "service_at_least_a_third_of_raw": service.per_second * 3 >= raw.per_second,
        "api_at_least_500_per_s": None if http is None else http.per_second >= 500 and http.errors == 0,
        "api_p99_under_50_ms": None if http is None or http.p99_ms is None else http.p99_ms < 50,
    }
    document = {
        "machine": {"cpus": os.cpu_count(), "load_average": os.getloadavg()},
        "phases": [asdict(figures) for figures in results],
        "goals": goals,
        "audit": report_audit,
    }
    if args.json:
        print(json.dumps(document, indent=2))
    else:
        header = ("clients", "transfers", "per s", "p50 ms", "p99 ms", "errors")
        print(f"{'phase':44} " + " ".join(f"{title:>9}" for title in header))
        for figures in results:
            print(
                f"{figures.name:44} {figures.clients:>9} {figures.transfers:>9} {figures.per_second:>9.1f} "
                f"{figures.p50_ms or 0:>9.2f} {figures.p99_ms or 0:>9.2f} {figures.errors:>9}"
            )
        print(f"service / raw pgbench: {goals['service_vs_raw_pgbench']:.3f} (goal >= 0.333)")
        if http is not None:
            print(f"API: {http.per_second:.1f} transfers/s (goal >= 500), p99 {http.p99_ms} ms (goal < 50)")
        print(
            f"audit: {report_audit['transfers']} transfers, ledger sum {report_audit['ledger_sum']}, "
            f"{len(report_audit['findings'])} findings; load average {os.getloadavg()}"
        )
    met = all(value in (True, None) for key, value in goals.items() if key != "service_vs_raw_pgbench")
    return 0 if met and not report_audit["findings"] else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(2)
    except Exception as error:
        print(f"ledger benchmark failed: {error!r}", file=sys.stderr)
        sys.exit(2)
