#!/usr/bin/env python3
"""Listing search: bulk indexing rate, query latency through search-gateway vs straight to
Elasticsearch, and how soon a listing event becomes searchable.

    .venv/bin/python scripts/bench/search.py                      100,000 listings, 30 rounds of 20 queries
    .venv/bin/python scripts/bench/search.py --docs 20000 --rounds 10 --events 20

What it does, all on loopback against the devstack stores (``python3 scripts/devstack start-stores``;
Elasticsearch with the dbay-analysis plugin):

1. creates a throwaway index set with its own prefix (``bench-search-<random>``, never the
   devstack's ``listings``) and bulk-indexes ``--docs`` generated listings through the same
   document builder the service uses (``store.listing_document``), 1,000 per bulk request with
   refreshes off; prints documents per second;
2. starts search-gateway under gunicorn on a free port (``--workers 2 --threads 4``, query cache off so every
   request reaches Elasticsearch), then runs a fixed set of 20 searches (words, typos, prefixes,
   synonyms, filters, facets, every sort) ``--rounds`` times, each one through the gateway
   (``GET /api/v1/search/listings``: parsing, the Elasticsearch request, rendering) and, right after,
   the very request body the gateway sends, straight to Elasticsearch's ``_search``; prints
   p50/p95/p99 of both, in milliseconds; then the same searches through a second gunicorn with the
   query cache on (what anonymous visitors' popular searches cost);
3. starts the search-gateway event consumer on a stream of its own, publishes ``--events``
   ``listing.published`` events one at a time and polls the gateway every 10 ms until each listing is
   found; prints p50/p95/max of the time from publishing to the first answer that contains it;
4. stops both processes and deletes the indices and the stream.

Goals: through the gateway p95 <= 1.5 x direct and < 50 ms; event to searchable p95 < 1 s. Exit
status 0 when all are met, 1 when not, 2 on an error. The client, gunicorn and Elasticsearch share
the machine's cores, so the figures are floors.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SERVICE_DIR = ROOT / "services" / "search-gateway"
VENV_BIN = ROOT / ".venv" / "bin"
HOST = "127.0.0.1"
DOGE = 100_000_000

sys.path.insert(0, str(SERVICE_DIR / "src"))

import redis  # noqa: E402
from elasticsearch.helpers import parallel_bulk  # noqa: E402

from dbay_common.events.envelope import Event  # noqa: E402
from dbay_common.settings import dev_url  # noqa: E402
from dbay_common.transports.redis_streams import RedisStreamsPublisher  # noqa: E402
from search_gateway.query import filters_from_input, page_from_cursor, search_body  # noqa: E402
from search_gateway.store import SearchIndex, es_client, listing_document  # noqa: E402

QUERIES: list[dict[str, str]] = [
    {"q": "camera"},
    {"q": "cameras", "sort": "price_shipping_lowest"},
    {"q": "vintage leather jacket"},
    {"q": "tv"},
    {"q": "keybaord"},
    {"q": "guit"},
    {"category": "electronics"},
    {"category": "electronics.phones", "price_min": "10", "price_max": "100"},
    {"condition": "new,like_new", "format": "auction"},
    {"ending_within": "1d", "sort": "ending_soonest"},
    {"ships_to": "US", "buy_it_now": "true"},
    {"location_country": "DE", "sort": "newly_listed"},
    {"q": "phone", "sort": "most_bids"},
    {"q": "laptop", "price_max": "500", "sort": "price_shipping_highest"},
    {"seller": "seller_7"},
    {"q": "cafe"},
    {"q": "watch", "condition": "good", "sort": "newly_listed"},
    {"format": "fixed_price", "sort": "price_shipping_lowest"},
    {"q": "guitar", "ending_within": "7d"},
    {"limit": "50", "sort": "newly_listed"},
]

CATEGORIES = [
    (["electronics", "electronics.phones"], ["Electronics", "Phones"], ["phone", "smartphone", "mobile"]),
    (["electronics", "electronics.tv"], ["Electronics", "Televisions"], ["television", "tv", "screen"]),
    (["electronics", "electronics.laptops"], ["Electronics", "Laptops"], ["laptop", "notebook", "keyboard"]),
    (["cameras-photo", "cameras-photo.digital"], ["Cameras & Photo", "Digital Cameras"], ["camera", "lens"]),
    (["fashion", "fashion.jackets"], ["Fashion", "Jackets"], ["jacket", "coat", "leather"]),
    (["fashion", "fashion.watches"], ["Fashion", "Watches"], ["watch", "chronograph", "strap"]),
    (["music", "music.guitars"], ["Music", "Guitars"], ["guitar", "amplifier", "strings"]),
    (["home", "home.kitchen"], ["Home", "Kitchen"], ["kettle", "teapot", "café", "mug"]),
    (["collectibles", "collectibles.coins"], ["Collectibles", "Coins"], ["coin", "medal", "token"]),
    (["toys", "toys.blocks"], ["Toys", "Building Blocks"], ["blocks", "bricks", "set"]),
]
ADJECTIVES = ["vintage", "new", "boxed", "rare", "classic", "compact", "large", "small", "red", "black"]
BRANDS = ["Acme", "Shiba", "Nikon", "Canon", "Fender", "Sony", "Zenith", "Kabosu", "Moon", "Orbit"]
FILLER = [
    *("works", "well", "shipped", "quickly", "from", "a", "smoke", "free", "home"),
    *("with", "original", "box", "and", "manual"),
]
CONDITIONS = ["new", "like_new", "very_good", "good", "acceptable", "for_parts"]
COUNTRIES = ["GB", "US", "DE", "FR", "CA", "JP"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(fraction * (len(sorted_values) - 1))))
    return sorted_values[index]


def iso(moment: datetime) -> str:
    return moment.isoformat()


def generated_listing(rng: random.Random, now: datetime, *, title: str | None = None) -> dict[str, Any]:
    path, names, nouns = rng.choice(CATEGORIES)
    noun = rng.choice(nouns)
    is_auction = rng.random() < 0.5
    price = rng.randint(1, 2000) * DOGE // rng.choice([1, 2, 4])
    shipping = rng.choice([None, 0, DOGE, 5 * DOGE, 20 * DOGE])
    ships_to = rng.choice([["WORLDWIDE"], [rng.choice(COUNTRIES)], rng.sample(COUNTRIES, 3)])
    published = now - timedelta(minutes=rng.randint(1, 60 * 24 * 30))
    return {
        "listing_id": str(uuid.uuid4()),
        "version": 1,
        "seller_id": str(uuid.uuid4()),
        "seller_username": f"seller_{rng.randint(0, 999)}",
        "status": "active",
        "title": title or f"{rng.choice(ADJECTIVES).capitalize()} {rng.choice(BRANDS)} {noun}",
        "description": " ".join([*rng.choices(FILLER, k=25), noun]),
        "category_id": path[-1],
        "category_path": path,
        "category_names": names,
        "condition": rng.choice(CONDITIONS),
        "item_specifics": [{"name": "Brand", "value": rng.choice(BRANDS)}],
        "format": "auction" if is_auction else "fixed_price",
        "price_koinu": str(price),
        "buy_it_now_koinu": str(price * 2) if is_auction and rng.random() < 0.3 else None,
        "has_reserve": is_auction and rng.random() < 0.2,
        "quantity_available": 1,
        "bid_count": rng.randint(0, 40) if is_auction else 0,
        "shipping_options": []
        if shipping is None
        else [{"service": "Post", "price_koinu": str(shipping), "ships_to": ships_to}],
        "local_pickup": shipping is None,
        "lowest_shipping_koinu": None if shipping is None else str(shipping),
        "location": {"country": rng.choice(COUNTRIES), "postal_code": "00000", "city": "Town"},
        "thumbnail_url": None,
        "photo_count": 0,
        "starts_at": iso(published),
        "ends_at": iso(now + timedelta(minutes=rng.randint(5, 60 * 24 * 10))) if is_auction else None,
        "created_at": iso(published),
        "updated_at": iso(published),
        "published_at": iso(published),
    }


def bulk_index(index: SearchIndex, docs: int, seed: int) -> float:
    """Index ``docs`` generated listings; return documents per second."""
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    now = datetime.now(UTC)
    [target] = index.listing_indices()
    index.client.indices.put_settings(index=target, settings={"refresh_interval": "-1"})

    def actions() -> Iterator[dict[str, Any]]:
        for _ in range(docs):
            document = listing_document(generated_listing(rng, now))
            yield {
                "_index": target,
                "_id": document["listing_id"],
                "_version": 1,
                "_version_type": "external",
                "_source": document,
            }

    started = time.perf_counter()
    failures = 0
    client = index.client.options(request_timeout=120)
    for ok, _item in parallel_bulk(client, actions(), chunk_size=1000, thread_count=2, queue_size=4):
        failures += 0 if ok else 1
    elapsed = time.perf_counter() - started
    index.client.indices.put_settings(index=target, settings={"refresh_interval": "500ms"})
    index.client.indices.refresh(index=target)
    client.indices.forcemerge(index=target, max_num_segments=1)
    if failures:
        raise RuntimeError(f"{failures} documents failed to index")
    return docs / elapsed


def start_process(args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(args, cwd=SERVICE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_for_http(process: subprocess.Popen[bytes], port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {process.stderr.read().decode() if process.stderr else ''}")
        try:
            with closing(http.client.HTTPConnection(HOST, port, timeout=2)) as connection:
                connection.request("GET", "/health/live")
                if connection.getresponse().status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer /health/live within 60 s")


def timed_get(connection: http.client.HTTPConnection, path: str) -> tuple[float, Any]:
    started = time.perf_counter()
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - started
    if response.status != 200:
        raise RuntimeError(f"GET {path} answered {response.status}: {body[:300]!r}")
    return elapsed, json.loads(body)


def timed_post(connection: http.client.HTTPConnection, path: str, body: dict[str, Any]) -> float:
    payload = json.dumps(body)
    started = time.perf_counter()
    connection.request("POST", path, body=payload, headers={"Content-Type": "application/json"})
    response = connection.getresponse()
    raw = response.read()
    elapsed = time.perf_counter() - started
    if response.status != 200:
        raise RuntimeError(f"POST {path} answered {response.status}: {raw[:300]!r}")
    return elapsed


def direct_body(params: dict[str, str]) -> dict[str, Any]:
    """The body the gateway sends for ``params`` (same parsing, same query, same aggregations)."""
    values: dict[str, Any] = dict(params)
    if "condition" in values:
        values["condition"] = values["condition"].split(",")
    if "buy_it_now" in values:
        values["buy_it_now"] = values["buy_it_now"] == "true"
    sort = values.pop("sort", "best_match")
    limit = int(values.pop("limit", "20"))
    filters = filters_from_input(values)
    now = datetime.now(UTC).replace(microsecond=0)
    page = page_from_cursor(None, sort=sort, limit=limit)
    return search_body(filters, sort=sort, limit=limit, page=page, now=now, with_facets=True)


def query_latencies(
    port: int, es_url: str, alias: str, rounds: int, *, with_direct: bool = True
) -> tuple[list[float], list[float], list[int]]:
    es = urllib.parse.urlparse(es_url)
    gateway = http.client.HTTPConnection(HOST, port, timeout=30)
    direct = http.client.HTTPConnection(es.hostname or HOST, es.port or 9200, timeout=30)
    through: list[float] = []
    straight: list[float] = []
    totals: list[int] = []
    for round_number in range(rounds + 1):  # round 0 warms both up, unmeasured
        for params in QUERIES:
            path = "/api/v1/search/listings?" + urllib.parse.urlencode(params)
            gateway_s, body = timed_get(gateway, path)
            if round_number:
                through.append(gateway_s * 1000)
            else:
                totals.append(int(body["total"]))
            if with_direct:
                direct_s = timed_post(direct, f"/{alias}/_search", direct_body(params))
                if round_number:
                    straight.append(direct_s * 1000)
    gateway.close()
    direct.close()
    return sorted(through), sorted(straight), totals


def event_to_searchable(port: int, publisher: RedisStreamsPublisher, events: int, seed: int) -> list[float]:
    rng = random.Random(seed + 1)  # noqa: S311 - test data, not secrets
    now = datetime.now(UTC)
    gateway = http.client.HTTPConnection(HOST, port, timeout=30)
    lags: list[float] = []
    for number in range(-1, events):  # -1: a warm-up event (the consumer's first), not measured
        word = f"zq{uuid.uuid4().hex[:10]}"
        listing = generated_listing(rng, now, title=f"Bench {word} lamp {number}")
        event = Event.new(source="dbay.listing", detail_type="listing.published", data=listing)
        started = time.perf_counter()
        publisher.publish([event])
        deadline = started + (60 if number < 0 else 20)
        while True:
            _elapsed, body = timed_get(
                gateway, "/api/v1/search/listings?" + urllib.parse.urlencode({"q": word})
            )
            if body["data"]:
                if number >= 0:
                    lags.append((time.perf_counter() - started) * 1000)
                break
            if time.perf_counter() > deadline:
                raise RuntimeError(f"listing {number} was not searchable within {deadline - started:.0f} s")
            time.sleep(0.01)
    gateway.close()
    return sorted(lags)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=100_000, help="listings to bulk-index (default 100000)")
    parser.add_argument(
        "--rounds", type=int, default=30, help="measured rounds of the 20 queries (default 30)"
    )
    parser.add_argument(
        "--events", type=int, default=30, help="listing events timed to searchable (default 30)"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    es_url = dev_url("elasticsearch")
    prefix = f"bench-search-{uuid.uuid4().hex[:8]}"
    stream = f"bench:search:{uuid.uuid4().hex[:8]}"
    redis_url = dev_url("redis", name="0")
    index = SearchIndex(client=es_client(es_url), prefix=prefix)
    env = {
        **os.environ,
        "ELASTICSEARCH_URL": es_url,
        "ELASTICSEARCH_INDEX_PREFIX": prefix,
        "SEARCH_CACHE_TTL_S": "0",
        "LOG_LEVEL": "WARNING",
        "GUNICORN_CMD_ARGS": "",
        "EVENT_BUS": "redis",
        "EVENT_BUS_REDIS_URL": redis_url,
        "EVENT_BUS_STREAM": stream,
        "EVENT_CONSUMER_NAME": f"bench-{os.getpid()}",
    }
    processes: list[subprocess.Popen[bytes]] = []
    publisher = RedisStreamsPublisher(redis_url=redis_url, stream=stream)
    try:
        index.ensure()
        print(f"bulk-indexing {args.docs} generated listings into {prefix} ...", flush=True)
        docs_per_s = bulk_index(index, args.docs, args.seed)
        print(f"  bulk index: {docs_per_s:,.0f} docs/s")

        port = free_port()
        gunicorn = [
            str(VENV_BIN / "gunicorn"),
            "search_gateway.wsgi:app",
            f"--bind={HOST}:{port}",
            f"--workers={args.workers}",
            "--threads=4",  # as scripts/devstack and the image run it
            "--keep-alive=30",
            "--log-level=warning",
        ]
        processes.append(start_process(gunicorn, env))
        wait_for_http(processes[-1], port)

        through, straight, totals = query_latencies(port, es_url, index.alias, args.rounds)
        print(f"queries: {len(QUERIES)} searches x {args.rounds} rounds; matches per search {totals}")
        print("                      p50      p95      p99   (ms)")
        for name, values in (("through the gateway", through), ("straight to ES", straight)):
            print(
                f"  {name:<19} {percentile(values, 0.50):7.1f}  {percentile(values, 0.95):7.1f}  "
                f"{percentile(values, 0.99):7.1f}"
            )

        # The same searches as an anonymous visitor's popular ones: through the query cache (5 s).
        cached_port = free_port()
        cached_env = {**env, "SEARCH_CACHE_TTL_S": "5"}
        processes.append(
            start_process([*gunicorn[:2], f"--bind={HOST}:{cached_port}", *gunicorn[3:]], cached_env)
        )
        wait_for_http(processes[-1], cached_port)
        cached, _, _ = query_latencies(cached_port, es_url, index.alias, args.rounds, with_direct=False)
        print(
            f"  {'gateway, cache on':<19} {percentile(cached, 0.50):7.1f}  {percentile(cached, 0.95):7.1f}  "
            f"{percentile(cached, 0.99):7.1f}   (anonymous, Memcached 5 s)"
        )

        processes.append(start_process([str(VENV_BIN / "python"), "-m", "search_gateway.worker"], env))
        lags = event_to_searchable(port, publisher, args.events, args.seed)
        print(
            f"event to searchable ({args.events} listing.published): p50 {percentile(lags, 0.5):.0f} ms, "
            f"p95 {percentile(lags, 0.95):.0f} ms, max {lags[-1]:.0f} ms"
        )

        gateway_p95, direct_p95, lag_p95 = (
            percentile(through, 0.95),
            percentile(straight, 0.95),
            percentile(lags, 0.95),
        )
        goals = {
            "gateway p95 <= 1.5 x direct": gateway_p95 <= 1.5 * direct_p95,
            "gateway p95 < 50 ms": gateway_p95 < 50,
            "event to searchable p95 < 1 s": lag_p95 < 1000,
        }
        print(f"ratio gateway/direct p95: {gateway_p95 / direct_p95:.2f}")
        for goal, met in goals.items():
            print(f"  goal {goal}: {'met' if met else 'NOT met'}")
        return 0 if all(goals.values()) else 1
    except Exception as error:  # report, then clean up
        print(f"search bench failed: {error}", file=sys.stderr)
        return 2
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        for name in sorted(index.client.indices.get(index=f"{prefix}*", expand_wildcards="all")):
            index.client.indices.delete(index=name)
        redis.Redis.from_url(redis_url).delete(stream, f"{stream}:dead")
        print(f"deleted {prefix}* and {stream}")


if __name__ == "__main__":
    sys.exit(main())
