"""The Memcached read cache (invalidated on commit), and requests that race."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection

from dbay_common.django.outbox.models import OutboxEvent
from dbay_common.errors import Conflict
from listing_service.listings import selectors, services
from listing_service.listings.models import Listing, Watch
from listing_service.listings.read_cache import CATEGORY_TREE_KEY, listing_cache_key, listing_generation_key

from .conftest import DOGE

BASE = "/api/v1/listings/"


def race(*calls: Callable[[], Any]) -> list[Any]:
    """Run ``calls`` at the same moment in threads; each result or the exception it raised."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(5)
            results[index] = call()
        except Exception as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.django_db(transaction=True)
def test_a_read_after_an_edit_never_answers_the_old_price(api, make_listing, seller_id):
    listing = make_listing()
    key = listing_cache_key(listing.id)
    assert api.call("GET", f"{BASE}{listing.id}").json()["price_koinu"] == str(100 * DOGE)
    assert cache.get(key)["detail"]["price_koinu"] == str(100 * DOGE)  # served from Memcached from now on

    edited = api.call(
        "PATCH", f"{BASE}{listing.id}", user=seller_id, body={"start_price_koinu": str(80 * DOGE)}
    )

    assert edited.status_code == 200
    assert cache.get(key) is None  # deleted once the edit committed
    assert api.call("GET", f"{BASE}{listing.id}").json()["price_koinu"] == str(80 * DOGE)
    assert cache.get(key)["detail"]["price_koinu"] == str(80 * DOGE)


@pytest.mark.django_db
def test_the_detail_is_served_from_the_cache(api, make_listing):
    listing = make_listing()
    api.call("GET", f"{BASE}{listing.id}")
    entry = cache.get(listing_cache_key(listing.id))
    cache.set(listing_cache_key(listing.id), {**entry, "detail": {**entry["detail"], "title": "From cache"}})

    assert api.call("GET", f"{BASE}{listing.id}").json()["title"] == "From cache"
    cache.delete(listing_cache_key(listing.id))


@pytest.mark.django_db
def test_a_copy_read_before_an_edit_committed_is_never_served(
    api, make_listing, seller_id, django_capture_on_commit_callbacks
):
    listing = make_listing()
    # A reader begins: no entry yet; it notes the generation and reads the row (the old price).
    cached, generation = selectors.listing_public_detail_cached(listing.id)
    assert cached is None
    old_detail = selectors.listing_public_detail(Listing.objects.get(id=listing.id))

    with django_capture_on_commit_callbacks(execute=True):  # the edit commits in between
        services.listing_update(
            listing_id=listing.id, seller_id=seller_id, changes={"start_price_koinu": 70 * DOGE}
        )
    selectors.listing_public_detail_remember(
        listing, old_detail, generation=generation
    )  # the reader stores late

    assert cache.get(listing_cache_key(listing.id))["detail"]["price_koinu"] == str(
        100 * DOGE
    )  # it is there,
    assert api.call("GET", f"{BASE}{listing.id}").json()["price_koinu"] == str(70 * DOGE)  # but never served


@pytest.mark.django_db
def test_every_change_drops_the_cached_detail_after_commit(
    make_listing, seller_id, django_capture_on_commit_callbacks
):
    listing = make_listing()
    key = listing_cache_key(listing.id)
    changes = [
        lambda: services.listing_update(listing_id=listing.id, seller_id=seller_id, changes={"title": "T2"}),
        lambda: services.listing_end_early(listing_id=listing.id, seller_id=seller_id),
        lambda: services.listing_withdraw(listing_id=listing.id, staff_id=uuid.uuid4(), reason="Replica"),
    ]
    for change in changes:
        cache.set(key, {"stale": True})
        generation = cache.get(listing_generation_key(listing.id))
        with django_capture_on_commit_callbacks(execute=True):
            change()
        assert cache.get(key) is None
        assert cache.get(listing_generation_key(listing.id)) not in (None, generation)


@pytest.mark.django_db
def test_the_category_tree_is_cached(api):
    cache.delete(CATEGORY_TREE_KEY)
    tree = api.call("GET", f"{BASE}categories").json()["data"]

    assert cache.get(CATEGORY_TREE_KEY) == tree


@pytest.mark.django_db(transaction=True)
def test_two_publishes_at_once_publish_once(make_listing, seller_id):
    draft = make_listing(publish=False)

    results = race(
        lambda: services.listing_publish(listing_id=draft.id, seller_id=seller_id),
        lambda: services.listing_publish(listing_id=draft.id, seller_id=seller_id),
    )

    published = [r for r in results if isinstance(r, Listing)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert (len(published), [r.code for r in refused]) == (1, ["listing_not_draft"])
    assert Listing.objects.get(id=draft.id).version == 2
    assert OutboxEvent.objects.filter(detail_type="listing.published").count() == 1


@pytest.mark.django_db(transaction=True)
def test_watching_twice_at_once_counts_one_watch(make_listing):
    listing = make_listing()
    buyer = uuid.uuid4()

    results = race(*[lambda: services.listing_watch(listing_id=listing.id, user_id=buyer)] * 4)

    assert sorted(results) == [False, False, False, True]
    assert Watch.objects.filter(listing_id=listing.id).count() == 1
    assert Listing.objects.get(id=listing.id).watch_count == 1

    removed = race(*[lambda: services.listing_unwatch(listing_id=listing.id, user_id=buyer)] * 3)
    assert sorted(removed) == [False, False, True]
    assert Listing.objects.get(id=listing.id).watch_count == 0


@pytest.mark.django_db(transaction=True)
def test_an_edit_and_a_takedown_at_once_leave_a_consistent_version(make_listing, seller_id):
    listing = make_listing()

    results = race(
        lambda: services.listing_update(
            listing_id=listing.id, seller_id=seller_id, changes={"title": "Raced"}
        ),
        lambda: services.listing_withdraw(listing_id=listing.id, staff_id=uuid.uuid4(), reason="Replica"),
    )

    versions = sorted(row.payload["detail"]["data"]["version"] for row in OutboxEvent.objects.all())
    final = Listing.objects.get(id=listing.id)
    assert final.status == "withdrawn"
    # Either order is fine; versions never repeat and the row ends at the highest one.
    assert len(set(versions)) == len(versions)
    assert final.version == versions[-1]
    assert sum(isinstance(r, Listing) for r in results) in (1, 2)
