"""Text search: stemming, folding, typos, prefixes, synonyms, highlights, suggestions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

from .factories import ids, snapshot


def test_plural_finds_singular_and_back(put: Callable[..., None], search: Callable[..., Any]) -> None:
    camera = snapshot(title="Vintage film camera")
    cameras = snapshot(title="Two cameras, one price")
    put(camera, snapshot(title="Tripod stand"), cameras)

    assert sorted(ids(search(q="cameras"))) == sorted([camera["listing_id"], cameras["listing_id"]])
    assert sorted(ids(search(q="camera"))) == sorted([camera["listing_id"], cameras["listing_id"]])


def test_accents_are_folded_both_ways(put: Callable[..., None], search: Callable[..., Any]) -> None:
    cafe = snapshot(title="Café racer helmet")
    put(cafe, snapshot(title="Racing gloves"))

    assert ids(search(q="cafe")) == [cafe["listing_id"]]
    assert ids(search(q="CAFÉ")) == [cafe["listing_id"]]


def test_a_typo_still_finds_the_word(put: Callable[..., None], search: Callable[..., Any]) -> None:
    keyboard = snapshot(title="Mechanical keyboard")
    put(keyboard, snapshot(title="Mouse pad"))

    assert ids(search(q="keybaord")) == [keyboard["listing_id"]]
    assert ids(search(q="mechanicle")) == [keyboard["listing_id"]]


def test_the_start_of_a_word_finds_it(put: Callable[..., None], search: Callable[..., Any]) -> None:
    telescope = snapshot(title="Refractor telescope")
    put(telescope, snapshot(title="Television stand"))

    assert ids(search(q="telesc")) == [telescope["listing_id"]]


def test_synonyms_from_the_file(put: Callable[..., None], search: Callable[..., Any]) -> None:
    television = snapshot(title="Flat television 42 inch")
    mobile = snapshot(title="Unlocked mobile, boxed")
    notebook = snapshot(title="Gaming notebook 16GB")
    put(television, mobile, notebook, snapshot(title="Radio"))

    assert ids(search(q="tv")) == [television["listing_id"]]
    assert ids(search(q="cellphone")) == [mobile["listing_id"]]
    assert ids(search(q="phones")) == [mobile["listing_id"]]
    assert ids(search(q="laptop")) == [notebook["listing_id"]]


def test_words_in_category_and_specifics_count(put: Callable[..., None], search: Callable[..., Any]) -> None:
    listing = snapshot(
        title="Boxed",
        item_specifics=[{"name": "Brand", "value": "Nikon"}],
        category_names=["Cameras & Photo", "Digital Cameras"],
    )
    put(listing, snapshot(title="Boxed", category_names=["Toys", "Blocks"]))

    assert ids(search(q="nikon")) == [listing["listing_id"]]
    assert ids(search(q="boxed digital cameras")) == [listing["listing_id"]]


def test_highlights_escape_html_and_mark_matches(
    put: Callable[..., None], search: Callable[..., Any]
) -> None:
    listing = snapshot(title="<b>Camera</b> & case", description="A <script>camera</script> in a case.")
    put(listing)

    [result] = search(q="camera")["data"]

    assert result["title"] == "<b>Camera</b> & case"
    assert result["title_html"] == "&lt;b&gt;<mark>Camera</mark>&lt;&#x2F;b&gt; &amp; case"
    assert result["description_html"] == "A &lt;script&gt;<mark>camera</mark>&lt;&#x2F;script&gt; in a case."


def test_no_query_text_returns_every_active_listing(
    put: Callable[..., None], search: Callable[..., Any]
) -> None:
    listings = [snapshot(title=f"Item {n}") for n in range(3)]
    put(*listings)

    body = search()

    assert sorted(ids(body)) == sorted(listing["listing_id"] for listing in listings)
    assert body["total"] == 3


def test_suggest_titles_and_categories(put: Callable[..., None], client: FlaskClient) -> None:
    put(
        snapshot(title="Canon EOS camera"),
        snapshot(title="Canon EOS camera"),
        snapshot(title="Candle holder", category_path=["home"], category_names=["Home"]),
        snapshot(title="Lens cap", category_path=["cam"], category_names=["Camcorders"]),
        snapshot(title="Canon printer", status="ended"),
    )

    body = client.get("/api/v1/search/suggest", query_string={"q": "can"}).get_json()

    assert sorted(body["titles"]) == ["Candle holder", "Canon EOS camera"]
    assert body["categories"] == []
    body = client.get("/api/v1/search/suggest", query_string={"q": "cam"}).get_json()
    assert body["titles"] == ["Canon EOS camera"]
    assert body["categories"] == [{"id": "cam", "name": "Camcorders", "count": 1}]


def test_without_words_the_snippets_are_escaped_and_unmarked(
    put: Callable[..., None], search: Callable[..., Any]
) -> None:
    words = " ".join(["word"] * 50)
    listing = snapshot(title="<i>Lamp</i> & shade", description=f"<b>Bold</b> {words}")
    put(listing)

    [result] = search()["data"]

    assert result["title_html"] == "&lt;i&gt;Lamp&lt;/i&gt; &amp; shade"
    assert result["description_html"] == "&lt;b&gt;Bold&lt;/b&gt; " + " ".join(["word"] * 29)
