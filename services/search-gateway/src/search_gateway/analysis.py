"""The listing index's settings and mapping: analyzers, fields, and the synonyms they read.

Only analysis names the full Elasticsearch distribution has are used (``standard``, ``lowercase``,
``asciifolding``, ``stemmer`` with ``language: english``, ``edge_ngram``, ``synonym_graph``), so this
mapping runs unchanged on a managed cluster; locally the dbay-analysis plugin
(services/search-gateway/es-analysis-plugin) provides the ones the minimal distribution lacks.
Synonyms are read from synonyms.txt and written inline into the index settings when an index is
created (a managed cluster cannot read files from our repository).

``MAPPING_VERSION`` names the concrete indices (``<alias>-v<n>-<stamp>``): bump it with every change
here, then rebuild (docs/search.md, "Reindex").
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

MAPPING_VERSION = 1
SYNONYMS_FILE = Path(__file__).with_name("synonyms.txt")
EDGE_NGRAM_MAX = 20


@cache
def synonym_rules() -> tuple[str, ...]:
    """The rules of synonyms.txt (comments and blank lines dropped)."""
    lines = SYNONYMS_FILE.read_text(encoding="utf-8").splitlines()
    return tuple(line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#"))


def listing_index_settings(*, shards: int = 1, replicas: int = 0) -> dict[str, Any]:
    """Index settings: the analyzers every text field uses."""
    return {
        "number_of_shards": shards,
        "number_of_replicas": replicas,
        "refresh_interval": "500ms",
        "max_result_window": 10_000,
        "analysis": {
            "filter": {
                "dbay_english_stemmer": {"type": "stemmer", "language": "english"},
                "dbay_synonyms": {"type": "synonym_graph", "synonyms": list(synonym_rules())},
                "dbay_prefixes": {"type": "edge_ngram", "min_gram": 1, "max_gram": EDGE_NGRAM_MAX},
            },
            "analyzer": {
                # Indexed text: words, lower case, accents folded, English stems.
                "dbay_text": {
                    "type": "custom",
                    "tokenizer": "standard",
                    "filter": ["lowercase", "asciifolding", "dbay_english_stemmer"],
                },
                # Query text: the same, with synonyms expanded before stemming.
                "dbay_text_search": {
                    "type": "custom",
                    "tokenizer": "standard",
                    "filter": ["lowercase", "asciifolding", "dbay_synonyms", "dbay_english_stemmer"],
                },
                # Prefixes of every word, for type-ahead ("cam" finds "camera").
                "dbay_prefix": {
                    "type": "custom",
                    "tokenizer": "standard",
                    "filter": ["lowercase", "asciifolding", "dbay_prefixes"],
                },
                "dbay_prefix_search": {
                    "type": "custom",
                    "tokenizer": "standard",
                    "filter": ["lowercase", "asciifolding"],
                },
            },
            "normalizer": {
                "dbay_lowercase": {"type": "custom", "filter": ["lowercase"]},
            },
        },
    }


def _text(**extra: Any) -> dict[str, Any]:
    return {"type": "text", "analyzer": "dbay_text", "search_analyzer": "dbay_text_search", **extra}


_PREFIX = {"type": "text", "analyzer": "dbay_prefix", "search_analyzer": "dbay_prefix_search"}
# Whole words, folded but not stemmed: typo tolerance compares what was typed with what was written.
_WORDS = {"type": "text", "analyzer": "dbay_prefix_search"}

LISTING_MAPPING: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "listing_id": {"type": "keyword"},
        "version": {"type": "long"},
        # True for drafts, cancelled and withdrawn listings: the document only remembers the version
        # (so an older event cannot bring the listing back) and is never shown.
        "is_tombstone": {"type": "boolean"},
        "status": {"type": "keyword"},
        "seller_id": {"type": "keyword"},
        "seller_username": {"type": "keyword", "normalizer": "dbay_lowercase"},
        "title": _text(
            fields={"prefix": _PREFIX, "words": _WORDS, "raw": {"type": "keyword", "ignore_above": 256}}
        ),
        "description": _text(),
        "category_id": {"type": "keyword"},
        "category_path": {"type": "keyword"},
        "category_names": _text(fields={"prefix": _PREFIX}),
        # "<id>\t<name>" per level of the path, and of the leaf alone: the facets' buckets.
        "category_labels": {"type": "keyword"},
        "category_leaf_label": {"type": "keyword"},
        "condition": {"type": "keyword"},
        "item_specifics": _text(),
        "format": {"type": "keyword"},
        "price_koinu": {"type": "long"},
        "buy_it_now_koinu": {"type": "long"},
        "has_buy_it_now": {"type": "boolean"},
        "has_reserve": {"type": "boolean"},
        "quantity_available": {"type": "integer"},
        "bid_count": {"type": "integer"},
        "lowest_shipping_koinu": {"type": "long"},
        # price + cheapest shipping (price alone when pickup only): the "price + shipping" sorts.
        "total_koinu": {"type": "long"},
        "ships_to": {"type": "keyword"},
        "local_pickup": {"type": "boolean"},
        "location_country": {"type": "keyword"},
        "location_city": {"type": "keyword", "index": False},
        "thumbnail_url": {"type": "keyword", "index": False},
        "photo_count": {"type": "integer", "index": False},
        "starts_at": {"type": "date"},
        "ends_at": {"type": "date"},
        "created_at": {"type": "date"},
        "updated_at": {"type": "date"},
        "published_at": {"type": "date"},
    },
}

SAVED_SEARCH_MAPPING: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "saved_search_id": {"type": "keyword"},
        "user_id": {"type": "keyword"},
        "name": {"type": "keyword", "index": False},
        # The search's parameters as the API took them (re-parsed when matching a new listing).
        "params": {"type": "object", "enabled": False},
        "created_at": {"type": "date"},
    },
}

SAVED_SEARCH_MATCH_MAPPING: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "saved_search_id": {"type": "keyword"},
        "listing_id": {"type": "keyword"},
        "event_id": {"type": "keyword"},
        "is_published": {"type": "boolean"},
        "matched_at": {"type": "date"},
    },
}
