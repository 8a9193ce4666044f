#!/usr/bin/env python3
"""Live channel broadcast: time for one published event to reach every open socket, and memory per socket.

    .venv/bin/python scripts/bench/live_channel.py              defaults (2000 sockets, 50 broadcasts)
    .venv/bin/python scripts/bench/live_channel.py --connections 4000 --client-procs 2 --broadcasts 100

Starts one live server process (``python -m notification_service.live`` on a free loopback port,
notification-service's Redis from ``REDIS_URL``, default the devstack's db 6), raises the open-files
limit, opens ``--connections`` WebSocket connections from ``--client-procs`` client processes (asyncio),
all subscribed anonymously to one public topic (``listing:<random uuid>``), then publishes
``--broadcasts`` events with ``live_publish`` (the real path: Lua script, replay stream, Redis pub/sub,
the server's fan-out) every ``--interval`` seconds. Each client process notes when each of its sockets
received each event (CLOCK_MONOTONIC, the same clock in every process); a broadcast's latency is
"last socket received" minus "live_publish called". Prints p50/p95/p99/max of that, whether every
socket received every event exactly once, and the server's RSS per connection (VmRSS from
/proc/<pid>/status after connecting minus before, divided by the connections).

Bounded: everything is killed after ``--timeout`` seconds at most. Loopback only; needs Redis
(``python3 scripts/devstack start-stores``). The replay keys it leaves expire after two minutes.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import resource
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from multiprocessing.connection import Connection
from typing import Any

import redis
import requests

HOST = "127.0.0.1"
OPEN_CONCURRENCY = 200


def raise_open_files_limit(wanted: int) -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(wanted, soft)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def cpu_s(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


# -- client processes ---------------------------------------------------------------------------------


async def client_main(
    url: str, topic: str, count: int, broadcasts: int, pipe: Connection, deadline: float
) -> None:
    import json

    from websockets.asyncio.client import connect

    subscribe = json.dumps({"op": "subscribe", "topic": topic, "after": None})
    last_at: list[float] = [0.0] * broadcasts
    received: list[int] = [0] * broadcasts
    duplicates = 0
    sockets: list[Any] = []
    gate = asyncio.Semaphore(OPEN_CONCURRENCY)

    async def open_one() -> Any:
        async with gate:
            ws = await connect(url, compression=None, open_timeout=30, ping_interval=None, max_queue=None)
            await ws.send(subscribe)
            answer = json.loads(await ws.recv())
            if answer.get("type") != "subscribed":
                raise RuntimeError(f"subscribe answered {answer}")
            return ws

    async def reader(ws: Any) -> None:
        nonlocal duplicates
        seen: set[int] = set()
        async for message in ws:
            now = time.monotonic()
            frame = json.loads(message)
            index = frame["data"]["i"]
            if index in seen:
                duplicates += 1
                continue
            seen.add(index)
            received[index] += 1
            if now > last_at[index]:
                last_at[index] = now
            if len(seen) == broadcasts:
                return

    sockets = await asyncio.gather(*(open_one() for _ in range(count)))
    readers = [asyncio.create_task(reader(ws)) for ws in sockets]
    pipe.send(("ready", count))
    await asyncio.wait(readers, timeout=max(1.0, deadline - time.monotonic()))
    pipe.send(("done", last_at, received, duplicates))
    for task in readers:
        task.cancel()
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)


def client_process(
    url: str, topic: str, count: int, broadcasts: int, pipe: Connection, deadline: float
) -> None:
    raise_open_files_limit(count + 256)
    try:
        asyncio.run(client_main(url, topic, count, broadcasts, pipe, deadline))
    except Exception as error:  # report, don't hang the parent
        pipe.send(("error", repr(error)))


# -- the run ------------------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", type=int, default=2000)
    parser.add_argument("--client-procs", type=int, default=2)
    parser.add_argument("--broadcasts", type=int, default=50)
    parser.add_argument("--interval", type=float, default=0.25, help="seconds between broadcasts")
    parser.add_argument("--timeout", type=float, default=240.0, help="hard limit for the whole run, seconds")
    args = parser.parse_args()

    started = time.monotonic()
    deadline = started + args.timeout
    from dbay_common.settings import dev_url
    from notification_service.live.publish import live_publish

    limit = raise_open_files_limit(args.connections + 512)
    print(f"open-files limit {limit}")
    redis_url = os.environ.get("REDIS_URL") or dev_url("redis", name="6")
    publisher = redis.Redis.from_url(redis_url)
    publisher.ping()
    port = free_port()
    env = {
        **os.environ,
        "LIVE_PORT": str(port),
        "LIVE_HOST": HOST,
        "REDIS_URL": redis_url,
        "LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen([sys.executable, "-m", "notification_service.live"], env=env)
    clients: list[multiprocessing.process.BaseProcess] = []
    try:
        while True:
            try:
                if requests.get(f"http://{HOST}:{port}/ws/health", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if server.poll() is not None or time.monotonic() > started + 30:
                raise SystemExit("the live server did not start")
            time.sleep(0.1)
        time.sleep(0.5)
        rss_before = rss_kb(server.pid)
        topic = f"listing:{uuid.uuid4()}"
        url = f"ws://{HOST}:{port}/ws/"
        context = multiprocessing.get_context("spawn")
        pipes: list[Connection] = []
        share, extra = divmod(args.connections, args.client_procs)
        t_connect = time.monotonic()
        for index in range(args.client_procs):
            parent_end, child_end = context.Pipe()
            count = share + (1 if index < extra else 0)
            process = context.Process(
                target=client_process,
                args=(url, topic, count, args.broadcasts, child_end, deadline),
                daemon=True,
            )
            process.start()
            clients.append(process)
            pipes.append(parent_end)
        # CLOCK_MONOTONIC is one clock for every process of the machine: the deadline and the receive
        # times of the client processes compare with the parent's directly.
        for pipe in pipes:
            if not pipe.poll(max(1.0, deadline - time.monotonic())):
                raise SystemExit("client processes did not connect in time")
            message = pipe.recv()
            if message[0] != "ready":
                raise SystemExit(f"a client process failed: {message}")
        connect_s = time.monotonic() - t_connect
        time.sleep(1.0)
        health = requests.get(f"http://{HOST}:{port}/ws/health", timeout=5).json()
        rss_after = rss_kb(server.pid)
        print(f"{health['connections']} sockets open on the server (connected in {connect_s:.1f}s)")

        cpu_before = cpu_s(server.pid)
        published_at: list[float] = []
        for index in range(args.broadcasts):
            published_at.append(time.monotonic())
            live_publish(
                publisher, topic, "listing.updated", {"i": index, "status": "live"}, window=500, ttl_s=120
            )
            time.sleep(args.interval)
        cpu_used = cpu_s(server.pid) - cpu_before

        last_at = [0.0] * args.broadcasts
        received = [0] * args.broadcasts
        duplicates = 0
        for pipe in pipes:
            if not pipe.poll(max(1.0, deadline - time.monotonic())):
                raise SystemExit("client processes did not report in time")
            message = pipe.recv()
            if message[0] != "done":
                raise SystemExit(f"a client process failed: {message}")
            _, their_last, their_received, their_duplicates = message
            duplicates += their_duplicates
            for index in range(args.broadcasts):
                last_at[index] = max(last_at[index], their_last[index])
                received[index] += their_received[index]
        complete = [i for i in range(args.broadcasts) if received[i] == args.connections]
        latencies_ms = [(last_at[i] - published_at[i]) * 1000 for i in complete]
        print(
            f"delivered {sum(received)}/{args.connections * args.broadcasts} events "
            f"({len(complete)}/{args.broadcasts} broadcasts reached every socket), {duplicates} duplicates"
        )
        if latencies_ms:
            print(
                f"broadcast to all {args.connections} sockets (last socket received), ms: "
                f"p50 {percentile(latencies_ms, 50):.0f}  p95 {percentile(latencies_ms, 95):.0f}  "
                f"p99 {percentile(latencies_ms, 99):.0f}  max {max(latencies_ms):.0f}  "
                f"mean {statistics.mean(latencies_ms):.0f}"
            )
        per_connection_kb = (rss_after - rss_before) / max(1, health["connections"])
        print(
            f"server RSS {rss_before / 1024:.1f} MiB idle -> {rss_after / 1024:.1f} MiB with "
            f"{health['connections']} sockets: {per_connection_kb:.1f} KiB per connection"
        )
        print(
            f"server CPU during the broadcasts: {cpu_used:.2f}s for {args.broadcasts} x {args.connections} "
            f"deliveries ({cpu_used / max(1, sum(received)) * 1e6:.1f} us per delivery)"
        )
        return 0 if len(complete) == args.broadcasts and duplicates == 0 else 1
    finally:
        for process in clients:
            process.join(timeout=max(0.1, min(10.0, deadline - time.monotonic())))
            if process.is_alive():
                process.kill()
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
        publisher.close()


if __name__ == "__main__":
    sys.exit(main())
