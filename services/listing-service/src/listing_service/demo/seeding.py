"""The demo marketplace: a handful of sellers and a few hundred listings with photos, made through
the real service functions (so every listing's events reach search through the outbox).

:func:`demo_seed` is idempotent: the demo sellers have fixed ids, and a first run that finds any of
their listings adds nothing. ``add=True`` adds more listings whatever exists. A PostgreSQL
advisory lock keeps two seeds from running at once.

The mix (per listing, from a seeded random generator): about half auctions (3 to 10 days, some
with a reserve or Buy It Now, one in twelve ending within the next half hour), the rest fixed
price (some with several in stock, some without an end), one in ten scheduled to start within three
days. Each listing gets one to three of its item's pictures; each distinct picture is drawn and
processed once, then imported into every listing that shows it.
"""

from __future__ import annotations

import logging
import queue
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, connections, transaction
from django.utils import timezone

from listing_service.demo.catalogue import SELLERS, DemoItem, DemoSeller, demo_items
from listing_service.demo.pictures import VIEWS, demo_picture
from listing_service.listings.models import Listing
from listing_service.listings.services import listing_create_draft, listing_publish, seller_upsert
from listing_service.photos.services import PreparedPhoto, photo_prepare, photos_import

logger = logging.getLogger(__name__)

KOINU_PER_DOGE = 100_000_000
DEFAULT_LISTINGS = 240
_ADVISORY_LOCK_KEY = 0x6442_6179_5345_4544 & 0x7FFF_FFFF_FFFF_FFFF  # "dBaySEED"

CONDITIONS = ("new", "like_new", "very_good", "good", "good", "very_good", "acceptable")
CONDITION_WORDS = {
    "new": "Brand new, never opened.",
    "like_new": "Like new: used a handful of times, no marks.",
    "very_good": "Very good condition, light signs of use.",
    "good": "Good condition: works perfectly, some visible wear.",
    "acceptable": "Acceptable condition: works, but shows its age (see photos).",
    "for_parts": "Sold for parts or repair.",
}
EU = ["DE", "FR", "NL", "BE", "AT", "IT", "ES", "PL", "DK", "SE"]


@dataclass(frozen=True)
class SeedResult:
    created: int
    skipped: bool
    seconds: float


def demo_seed(
    *, listings: int = DEFAULT_LISTINGS, add: bool = False, seed: int = 2024, workers: int = 1
) -> SeedResult:
    """Seed the demo marketplace once (or ``add`` more listings); see the module docstring.

    ``workers`` threads create listings side by side (each with its own database connection), which
    overlaps their waits on PostgreSQL; the listings are the same whatever the number.
    """
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [_ADVISORY_LOCK_KEY])
    try:
        seller_ids = [seller.user_id for seller in SELLERS]
        existing = Listing.objects.filter(seller_id__in=seller_ids).count()
        if existing and not add:
            return SeedResult(created=0, skipped=True, seconds=time.monotonic() - started)
        for seller in SELLERS:
            seller_upsert(user_id=seller.user_id, username=seller.username, display_name=seller.display_name)
        indexes = range(existing, existing + listings)
        _listings_create(indexes=indexes, seed=seed, workers=workers)
        return SeedResult(created=listings, skipped=False, seconds=time.monotonic() - started)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_ADVISORY_LOCK_KEY])


class _Pictures:
    """Each (item, view) drawn, checked and rendered once per run (shared by the worker threads)."""

    def __init__(self) -> None:
        self._prepared: dict[tuple[str, str], PreparedPhoto] = {}
        self._lock = threading.Lock()

    def get(self, item: DemoItem, view: str) -> PreparedPhoto:
        key = (item.title, view)
        with self._lock:
            prepared = self._prepared.get(key)
        if prepared is None:
            prepared = photo_prepare(demo_picture(item, view))
            with self._lock:
                prepared = self._prepared.setdefault(key, prepared)
        return prepared


def _listings_create(*, indexes: range, seed: int, workers: int) -> None:
    """Listing number ``index`` shows item ``index`` (in catalogue order, then picked at random) and
    takes its choices from a generator seeded with ``(seed, index)``."""
    items = demo_items()
    pictures = _Pictures()
    real_now = timezone.now()

    def create(index: int) -> None:
        rng = random.Random(f"{seed}/{index}")  # noqa: S311 - picks demo data, not secrets
        item = items[index] if index < len(items) else rng.choice(items)
        seller = next(seller for seller in SELLERS if item.top in seller.tops)
        with transaction.atomic():  # each listing whole or not at all
            _listing_create(item=item, seller=seller, rng=rng, pictures=pictures.get, real_now=real_now)

    if workers <= 1:
        for index in indexes:
            create(index)
        return
    pending: queue.SimpleQueue[int] = queue.SimpleQueue()
    for index in indexes:
        pending.put(index)
    failures: list[BaseException] = []

    def work() -> None:
        try:
            while not failures:
                try:
                    index = pending.get_nowait()
                except queue.Empty:
                    return
                create(index)
        except BaseException as error:
            failures.append(error)
        finally:
            connections.close_all()  # this thread's own connections

    threads = [threading.Thread(target=work, name=f"seed-{number}") for number in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]


def _title(item: DemoItem, rng: random.Random) -> str:
    if item.variants and rng.random() < 0.5:
        title = f"{item.title} {rng.choice(item.variants)}"
        if len(title) <= 80:
            return title
    return item.title


def _shipping(seller: DemoSeller, rng: random.Random, price_doge: int) -> list[dict[str, Any]]:
    domestic = round(max(8, min(60, price_doge * 0.02)))
    options = [
        {
            "service": "Standard parcel",
            "price_koinu": 0 if rng.random() < 0.2 else domestic * KOINU_PER_DOGE,
            "ships_to": [seller.country],
        }
    ]
    if seller.ships_abroad:
        abroad = EU if seller.country in EU else ["WORLDWIDE"]
        options.append(
            {
                "service": "International tracked",
                "price_koinu": domestic * 3 * KOINU_PER_DOGE,
                "ships_to": abroad,
            }
        )
    return options


def _description(item: DemoItem, condition: str, seller: DemoSeller, rng: random.Random) -> str:
    details = "\n".join(f"- {name}: {value}" for name, value in item.specifics.items())
    closing = rng.choice(
        (
            "Ships within two working days, well packed.",
            "Questions welcome, I answer within the day.",
            "From a smoke-free home.",
            "Combined shipping for several items.",
        )
    )
    return f"{item.blurb}\n\n{CONDITION_WORDS[condition]}\n\n{details}\n\n{closing} Sent from {seller.city}."


def _listing_create(
    *,
    item: DemoItem,
    seller: DemoSeller,
    rng: random.Random,
    pictures: Callable[[DemoItem, str], PreparedPhoto],
    real_now: datetime,
) -> Listing:
    condition = "new" if "Sealed" in item.title else rng.choice(CONDITIONS)
    price_doge = max(1, round(item.price_doge * rng.uniform(0.75, 1.2)))
    fields: dict[str, Any] = {
        "title": _title(item, rng),
        "description": _description(item, condition, seller, rng),
        "category_id": item.category_id,
        "condition": condition,
        "item_specifics": [{"name": name, "value": value} for name, value in item.specifics.items()],
        "shipping_options": _shipping(seller, rng, price_doge),
        "local_pickup": rng.random() < 0.3,
        "location": {"country": seller.country, "postal_code": seller.postal_code, "city": seller.city},
    }
    publish_at: datetime | None = None
    roll = rng.random()
    if rng.random() < 0.55:
        start = round(price_doge * rng.uniform(0.3, 0.7))
        fields |= {"format": "auction", "start_price_koinu": max(1, start) * KOINU_PER_DOGE}
        fields["duration_days"] = rng.choice((3, 5, 7, 7, 10))
        if rng.random() < 0.3:
            fields["reserve_price_koinu"] = round(price_doge * 0.8) * KOINU_PER_DOGE
        if rng.random() < 0.25:
            fields["buy_it_now_koinu"] = round(price_doge * 1.15) * KOINU_PER_DOGE
        if roll < 1 / 12:
            # Ends within the next half hour: published (through the real function) as if a day ago.
            fields["duration_days"] = 1
            publish_at = real_now - timedelta(days=1) + timedelta(minutes=rng.randint(3, 30))
    else:
        fields |= {"format": "fixed_price", "price_koinu": price_doge * KOINU_PER_DOGE}
        fields["quantity"] = rng.choice((1, 1, 1, 2, 3, 5, 10, 25))
        fields["duration_days"] = rng.choice((None, None, 10))
    if publish_at is None and roll > 0.9:
        fields["scheduled_start_at"] = real_now + timedelta(minutes=rng.randint(60, 3 * 24 * 60))
    fields = {name: value for name, value in fields.items() if value is not None}
    listing = listing_create_draft(seller_id=seller.user_id, fields=fields)
    views = VIEWS[: rng.choice((1, 2, 2, 3, 3))]
    photos_import(
        listing_id=listing.id, seller_id=seller.user_id, photos=[pictures(item, view) for view in views]
    )
    return listing_publish(listing_id=listing.id, seller_id=seller.user_id, now=publish_at)
