"""What the demo marketplace sells: its sellers, and items per category (``items.txt``) with
believable titles, item specifics, prices (in DOGE, turned into koinu when listed) and a line of
description.

Data only; ``seeding.py`` turns each item into listings (several per item, with different
conditions, formats and prices). Category ids are leaves of the tree in
``listings/migrations/0002_category_tree.py``.
"""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass, field
from pathlib import Path

_SELLER_NAMESPACE = uuid.UUID("3b8f5d0e-91c4-4e0b-a7e2-6c1d2f9a4b57")


@dataclass(frozen=True)
class DemoSeller:
    username: str
    display_name: str
    country: str
    city: str
    postal_code: str
    # The top categories this seller lists in.
    tops: tuple[str, ...]
    ships_abroad: bool = True

    @property
    def user_id(self) -> uuid.UUID:
        """Stable across runs: the seed recognises its own sellers by these ids."""
        return uuid.uuid5(_SELLER_NAMESPACE, self.username)


SELLERS = (
    DemoSeller(
        "retro_lens_berlin", "Retro Lens Berlin", "DE", "Berlin", "10115", ("cameras-photo", "books-media")
    ),
    DemoSeller(
        "otter_electronics",
        "Otter Electronics",
        "GB",
        "Manchester",
        "M1 1AE",
        ("computers", "phones", "electronics"),
    ),
    DemoSeller(
        "doge_collectibles", "Doge Collectibles", "US", "Austin", "78701", ("collectibles", "toys-hobbies")
    ),
    DemoSeller(
        "maple_outfitters", "Maple Outfitters", "CA", "Toronto", "M5V 2T6", ("sporting-goods", "fashion")
    ),
    DemoSeller(
        "casa_del_lavoro",
        "Casa del Lavoro",
        "IT",
        "Milan",
        "20121",
        ("home-garden", "jewellery-watches", "health-beauty"),
    ),
    DemoSeller(
        "shiba_garage",
        "Shiba Garage",
        "JP",
        "Osaka",
        "530-0001",
        ("vehicle-parts", "video-games", "other"),
        False,
    ),
)


@dataclass(frozen=True)
class DemoItem:
    category_id: str
    title: str
    price_doge: int
    specifics: dict[str, str]
    blurb: str
    variants: tuple[str, ...] = field(default=())  # extra words some of its listings add to the title

    @property
    def top(self) -> str:
        return self.category_id.split(".", 1)[0]


@functools.cache
def demo_items() -> tuple[DemoItem, ...]:
    """The items of ``items.txt``, in file order."""
    items = []
    for line in (Path(__file__).parent / "items.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        category_id, title, price, blurb, variants, specifics = (part.strip() for part in line.split(" | "))
        items.append(
            DemoItem(
                category_id=category_id,
                title=title,
                price_doge=int(price),
                specifics=dict(pair.strip().split("=", 1) for pair in specifics.split(";") if pair.strip()),
                blurb=blurb,
                variants=tuple(word.strip() for word in variants.split(";") if word.strip()),
            )
        )
    return tuple(items)
