"""``manage.py seed_demo``: the demo marketplace, once (see listing_service.demo.seeding)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from listing_service.demo.catalogue import SELLERS
from listing_service.demo.seeding import DEFAULT_LISTINGS, demo_seed


class Command(BaseCommand):
    help = (
        "Seed demo sellers and listings with photos, once: a second run adds nothing. "
        "DBAY_SEED_DEMO=0 skips it (unless --add). Never in production."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--listings", type=int, default=DEFAULT_LISTINGS, help=f"how many (default {DEFAULT_LISTINGS})"
        )
        parser.add_argument("--add", action="store_true", help="add that many more, even if seeded already")
        parser.add_argument(
            "--workers", type=int, default=4, help="threads creating listings side by side (default 4)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.DBAY_ENV == "production":
            raise CommandError("demo data is never seeded in production (DBAY_ENV=production)")
        if not settings.DEMO_SEED_ENABLED and not options["add"]:
            self.stdout.write("demo data: skipped (DBAY_SEED_DEMO=0)")
            return
        if options["listings"] < 1:
            raise CommandError("--listings must be at least 1")
        if not 1 <= options["workers"] <= 16:
            raise CommandError("--workers must be between 1 and 16")
        result = demo_seed(listings=options["listings"], add=options["add"], workers=options["workers"])
        if result.skipped:
            self.stdout.write("demo data: already seeded, nothing added")
            return
        self.stdout.write(
            f"demo data: {result.created} listings from {len(SELLERS)} sellers in {result.seconds:.1f} s"
        )
