"""The dbay-analysis plugin builds against the devstack's Elasticsearch, and that Elasticsearch runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import requests

PLUGIN_DIR = Path(__file__).resolve().parents[1] / "es-analysis-plugin"


def test_build_writes_the_plugin_folder(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(PLUGIN_DIR / "build.py"), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
    )

    folder = tmp_path / "dbay-analysis"
    assert sorted(path.name for path in folder.iterdir()) == [
        "dbay-analysis.jar",
        "named_components.json",
        "stable-plugin-descriptor.properties",
    ]
    assert json.loads((folder / "named_components.json").read_text()) == {
        "org.elasticsearch.plugin.analysis.AnalyzerFactory": {
            "english": "org.dbay.analysis.EnglishAnalyzerFactory"
        },
        "org.elasticsearch.plugin.analysis.TokenFilterFactory": {
            "stemmer": "org.dbay.analysis.StemmerTokenFilterFactory",
            "asciifolding": "org.dbay.analysis.AsciiFoldingTokenFilterFactory",
            "edge_ngram": "org.dbay.analysis.EdgeNGramTokenFilterFactory",
            "synonym_graph": "org.dbay.analysis.SynonymGraphTokenFilterFactory",
        },
    }


def tokens(elasticsearch_url: str, body: dict[str, Any]) -> list[str]:
    response = requests.post(f"{elasticsearch_url}/_analyze", json=body, timeout=30)
    response.raise_for_status()
    return [token["token"] for token in response.json()["tokens"]]


def test_elasticsearch_has_the_standard_names(elasticsearch_url: str) -> None:
    assert tokens(elasticsearch_url, {"analyzer": "english", "text": "The cameras' lenses"}) == [
        "camera",
        "lens",
    ]
    chain = [
        "lowercase",
        {"type": "asciifolding"},
        {"type": "synonym_graph", "synonyms": ["tv, television"]},
        {"type": "stemmer", "language": "english"},
    ]
    assert tokens(elasticsearch_url, {"tokenizer": "standard", "filter": chain, "text": "Café TVs"}) == [
        "cafe",
        "tv",
    ]
    assert tokens(elasticsearch_url, {"tokenizer": "standard", "filter": chain, "text": "tv"}) == [
        "televis",
        "tv",
    ]
    edge = {"type": "edge_ngram", "min_gram": 2, "max_gram": 4}
    assert tokens(elasticsearch_url, {"tokenizer": "standard", "filter": [edge], "text": "lamp"}) == [
        "la",
        "lam",
        "lamp",
    ]
