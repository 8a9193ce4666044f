"""Schemathesis against a service's committed OpenAPI document, in-process (each service's
``tests/test_schemathesis.py``).

The document under test is the one clients read, ``docs/api-contracts/<service>.yaml`` (the drift
check keeps it equal to the code). Every operation is called through the real WSGI app (Django's
handler on the test database, or the Flask app) with a signed-in user, on examples Hypothesis draws
from the document (valid and invalid ones, derandomized, a bounded number per operation), and each
answer must be:

- no 5xx (``not_a_server_error``),
- a status the document lists for the operation (``status_code_conformance``),
- a body matching the documented schema of that status (``response_schema_conformance``),
- of the documented content type (``content_type_conformance``).

Usage (schemathesis is a dev dependency; import this module from tests only)::

    from dbay_common.testing.openapi import contract_schema, SchemathesisTally

    schema = contract_schema("listing-service")
    TALLY = SchemathesisTally("listing-service")

    @schema.parametrize()
    def test_api_matches_its_document(case, ...):
        TALLY.call_and_validate(case, app=..., headers=...)

and a module fixture that calls ``TALLY.report(request)`` at teardown to print the counts.
"""

from __future__ import annotations

import contextlib
import os
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

__all__ = [
    "CHECKS",
    "MAX_EXAMPLES",
    "SchemathesisTally",
    "contract_path",
    "contract_schema",
    "django_wsgi_app",
]

#: Examples per operation and generation mode (valid, invalid): enough to reach every documented
#: limit of a small operation, few enough that a service's run stays within seconds.
MAX_EXAMPLES = int(os.environ.get("DBAY_SCHEMATHESIS_MAX_EXAMPLES", "15"))


CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance, content_type_conformance]


def contract_path(service: str) -> Path:
    """``docs/api-contracts/<service>.yaml`` of the repository the tests run in."""
    for folder in (Path.cwd(), *Path.cwd().parents, *Path(__file__).resolve().parents):
        candidate = folder / "docs" / "api-contracts" / f"{service}.yaml"
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"no docs/api-contracts/{service}.yaml above {Path.cwd()}")


def contract_schema(service: str, *, max_examples: int = MAX_EXAMPLES) -> Any:
    """The committed document of ``service`` as a Schemathesis schema, configured for ``make test``:
    derandomized, ``max_examples`` per operation and mode, no shrinking, examples, boundary values
    and fuzzing (no stateful phase: each test case is one request)."""
    config = schemathesis.Config.from_dict(
        {
            "generation": {
                "mode": "all",
                "max-examples": max_examples,
                "deterministic": True,
                "no-shrink": True,
                "database": "none",
            },
            "phases": {
                "examples": {"enabled": True},
                "coverage": {"enabled": True},
                "fuzzing": {"enabled": True},
                "stateful": {"enabled": False},
            },
            "suppress-health-check": ["all"],
        }
    )
    return schemathesis.openapi.from_path(contract_path(service), config=config)


@contextlib.contextmanager
def django_wsgi_app() -> Iterator[Any]:
    """Django's WSGI handler for in-process calls inside a pytest-django test transaction.

    As Django's test client does, the handler's ``close_old_connections`` is unhooked from the
    request signals meanwhile: it would close the connection holding the test's open transaction.
    """
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    handler = WSGIHandler()

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        # Again on every call: Django's test client reconnects the receiver after each of its requests.
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        return handler(environ, start_response)

    try:
        yield app
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@dataclass
class SchemathesisTally:
    """Counts the requests made per operation, and prints them once the module's tests are done."""

    service: str
    examples: Counter[str] = field(default_factory=Counter)

    failures: Counter[str] = field(default_factory=Counter)
    statuses: defaultdict[str, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))

    def call_and_validate(self, case: Any, **kwargs: Any) -> Any:
        """``case.call_and_validate`` with :data:`CHECKS`, counted."""
        operation = f"{case.operation.method.upper()} {case.operation.path}"
        self.examples[operation] += 1
        try:
            response = case.call_and_validate(checks=CHECKS, **kwargs)
        except BaseException:  # check failures are a BaseExceptionGroup
            self.failures[operation] += 1
            raise
        if case.method.upper() == case.operation.method.upper():  # not a probe with another method
            self.statuses[operation][response.status_code] += 1
        return response

    def summary(self) -> str:
        return (
            f"schemathesis {self.service}: {len(self.examples)} operations, "
            f"{sum(self.examples.values())} examples, {sum(self.failures.values())} failures"
        )

    def report(self, config: Any) -> None:
        """Print :meth:`summary` on the terminal, past pytest's output capture."""
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        capture = config.pluginmanager.get_plugin("capturemanager")
        if reporter is None or not self.examples:
            return
        with capture.global_and_fixture_disabled() if capture is not None else contextlib.nullcontext():
            reporter.write_line("")
            reporter.write_line(self.summary())
            if config.getoption("verbose") > 0:
                for operation, statuses in sorted(self.statuses.items()):
                    answered = ", ".join(f"{status}x{count}" for status, count in sorted(statuses.items()))
                    reporter.write_line(f"  {operation}: {answered}")
