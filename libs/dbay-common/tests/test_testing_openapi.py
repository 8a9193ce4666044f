"""The Schemathesis harness of the services' ``tests/test_schemathesis.py`` fails on what it must."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from flask import Flask, jsonify

from dbay_common.testing.openapi import SchemathesisTally, contract_path

DOCUMENT: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/ok": {
            "get": {
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {"n": {"type": "integer"}},
                                    "required": ["n"],
                                }
                            }
                        },
                    }
                }
            }
        },
    },
}


def _app(status: int, body: dict[str, Any]) -> Flask:
    app = Flask(__name__)
    app.add_url_rule("/ok", "ok", lambda: (jsonify(body), status))
    return app


def _first_case() -> Any:
    operation = schemathesis.openapi.from_dict(DOCUMENT)["/ok"]["GET"]
    return operation.Case()


@pytest.mark.parametrize(
    ("status", "body", "reason"),
    [
        (500, {"n": 1}, "ServerError"),
        (418, {"n": 1}, "UndefinedStatusCode"),
        (200, {"n": "one"}, "JsonSchemaError"),
    ],
)
def test_tally_fails_and_counts(status: int, body: dict[str, Any], reason: str) -> None:
    tally = SchemathesisTally("t")
    with pytest.raises(BaseExceptionGroup) as raised:
        tally.call_and_validate(_first_case(), app=_app(status, body))
    assert reason in [type(failure).__name__ for failure in raised.value.exceptions]
    assert tally.summary() == "schemathesis t: 1 operations, 1 examples, 1 failures"


def test_tally_passes_a_conforming_answer() -> None:
    tally = SchemathesisTally("t")
    tally.call_and_validate(_first_case(), app=_app(200, {"n": 1}))
    assert tally.summary() == "schemathesis t: 1 operations, 1 examples, 0 failures"


def test_contract_path_finds_the_committed_document() -> None:
    assert contract_path("user-service").parts[-3:] == ("docs", "api-contracts", "user-service.yaml")
