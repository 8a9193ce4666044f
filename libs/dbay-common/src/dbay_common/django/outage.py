"""Telling "PostgreSQL is not answering" apart from "this query is wrong"."""

from __future__ import annotations

from django.db import InterfaceError, OperationalError

__all__ = ["is_store_outage"]


def is_store_outage(exc: BaseException | None) -> bool:
    """True for a refused, dropped or already-closed database connection (or a server shutting down).

    Such a request changed nothing (its transaction did not commit) and may be retried: the views
    answer 503 with ``Retry-After`` (``dbay_common.request_body.StoreUnavailable``), never a 500.
    A wrong query (``ProgrammingError``, ``IntegrityError``, ``DataError``) is not an outage.
    """
    return isinstance(exc, OperationalError | InterfaceError)
