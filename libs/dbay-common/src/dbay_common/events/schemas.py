"""Registry of typed event payloads, one pydantic model per ``(detail_type, version)``.

A producer declares the payload it promises in its ``events.py``::

    @register_event("bid.placed", 1)
    class BidPlacedV1(BaseModel):
        auction_id: str
        bidder_id: str
        amount_koinu: str

and :meth:`Event.new` then validates ``data`` strictly against it: unknown fields are rejected even
if the model itself would ignore them, because a producer sending fields nobody declared is how
undocumented contracts start. A breaking change is a new version registered beside the old one.

Consumers must not import another service's models (one service, one codebase); they declare their
own model of the few fields they read and parse with :meth:`Event.parse_data`, which ignores extras.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict

from dbay_common.events.envelope import DETAIL_TYPE_PATTERN

__all__ = [
    "get_event_schema",
    "lenient_model",
    "register_event",
    "registered_events",
    "strict_model",
    "validate_event_data",
]

ModelT = TypeVar("ModelT", bound=BaseModel)

_REGISTRY: dict[tuple[str, int], type[BaseModel]] = {}


def register_event(detail_type: str, version: int) -> Callable[[type[ModelT]], type[ModelT]]:
    """Class decorator: declare ``model`` as the payload of ``detail_type`` at ``version``.

    Registering a second, different model for the same key raises: two producers disagreeing on one
    event's schema is a bug to catch at import, not in a consumer at 3 a.m. Re-registering the same
    class (a module imported twice under reload) is allowed.
    """
    if not re.match(DETAIL_TYPE_PATTERN, detail_type):
        raise ValueError(f"detail_type must match {DETAIL_TYPE_PATTERN!r}, got {detail_type!r}")
    if version < 1:
        raise ValueError(f"version must be >= 1, got {version}")

    def decorator(model: type[ModelT]) -> type[ModelT]:
        key = (detail_type, version)
        existing = _REGISTRY.get(key)
        if existing is not None and _dotted(existing) != _dotted(model):
            raise ValueError(f"{detail_type} v{version} is already registered as {_dotted(existing)}")
        _REGISTRY[key] = model
        return model

    return decorator


def _dotted(model: type[BaseModel]) -> str:
    return f"{model.__module__}.{model.__qualname__}"


def get_event_schema(detail_type: str, version: int) -> type[BaseModel] | None:
    return _REGISTRY.get((detail_type, version))


def registered_events() -> dict[tuple[str, int], type[BaseModel]]:
    """A copy of the registry, for catalog generation and contract tests."""
    return dict(_REGISTRY)


@functools.cache
def strict_model(model: type[ModelT]) -> type[ModelT]:
    """``model`` with ``extra="forbid"`` (``model`` itself when it already forbids extras)."""
    if model.model_config.get("extra") == "forbid":
        return model
    config = ConfigDict(**{**model.model_config, "extra": "forbid"})
    namespace = {"model_config": config, "__module__": model.__module__}
    return type(f"Strict{model.__name__}", (model,), namespace)


@functools.cache
def lenient_model(model: type[ModelT]) -> type[ModelT]:
    """``model`` with ``extra="ignore"``, so consumers tolerate fields added by producers."""
    if model.model_config.get("extra", "ignore") == "ignore":
        return model
    config = ConfigDict(**{**model.model_config, "extra": "ignore"})
    namespace = {"model_config": config, "__module__": model.__module__}
    return type(f"Lenient{model.__name__}", (model,), namespace)


def validate_event_data(detail_type: str, version: int, data: dict[str, Any]) -> dict[str, Any]:
    """Producer-side check: strict validation when a schema is registered, else ``data`` unchanged.

    Returns the model's JSON dump so defaults are filled in and types normalised (a UUID becomes its
    string) exactly as consumers will see them.
    """
    model = get_event_schema(detail_type, version)
    if model is None:
        return data
    return strict_model(model).model_validate(data).model_dump(mode="json")
