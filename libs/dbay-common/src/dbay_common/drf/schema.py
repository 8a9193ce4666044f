"""drf-spectacular integration: the Bearer security scheme, the error shape, and the responses every
route gives.

Views declare the errors of their own rules with :func:`error_responses`::

    @extend_schema(responses={200: OutputSerializer, **error_responses(403, 404)})

and the postprocessing hook :func:`postprocess_common_responses` (installed by ``common_settings``)
adds what the platform answers on every route of a kind (400/413/415 with a body, 401 with a
security requirement, 400/409/422 with ``Idempotency-Key``, 503 everywhere; see
:mod:`dbay_common.openapi`). Routes taking ``Idempotency-Key`` list :data:`IDEMPOTENCY_KEY_PARAMETER`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema_serializer
from rest_framework import serializers

from dbay_common.openapi import (
    API_CONVENTIONS,
    ERROR_DESCRIPTIONS,
    ERROR_SCHEMAS,
    IDEMPOTENCY_HEADER,
    IDEMPOTENCY_KEY_SCHEMA,
    add_common_responses,
)

__all__ = [
    "IDEMPOTENCY_KEY_PARAMETER",
    "OPENAPI_AUDIENCE_VARIABLE",
    "ErrorResponseSerializer",
    "JwtAuthenticationScheme",
    "error_responses",
    "idempotency_key_parameter",
    "page_parameters",
    "postprocess_common_responses",
    "preprocess_audience",
]

_HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})


class JwtAuthenticationScheme(OpenApiAuthenticationExtension):
    """Documents :class:`~dbay_common.drf.authentication.JwtAuthentication` as HTTP bearer (JWT)."""

    target_class = "dbay_common.drf.authentication.JwtAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}


@extend_schema_serializer(component_name="ErrorDetail")
class ErrorDetailSerializer(serializers.Serializer[Any]):
    """What went wrong: `type` is the class of error, `code` a stable value a client can branch on,
    `param` the field or header at fault (when there is one)."""

    type = serializers.CharField()
    code = serializers.CharField()
    message = serializers.CharField()
    param = serializers.CharField(required=False)


@extend_schema_serializer(component_name="ErrorResponse")
class ErrorResponseSerializer(serializers.Serializer[Any]):
    """Every error a dBay service answers has this shape."""

    error = ErrorDetailSerializer()


def error_responses(
    *statuses: int, descriptions: Mapping[int, str] | None = None
) -> dict[int, OpenApiResponse]:
    """``{status: OpenApiResponse(error shape)}`` for ``statuses``, with the standard description of
    each (:data:`dbay_common.openapi.ERROR_DESCRIPTIONS`) unless ``descriptions`` gives the view's own."""
    own = dict(descriptions or {})
    unknown = set(own) - set(statuses)
    if unknown:
        raise ValueError(f"descriptions for statuses not listed: {sorted(unknown)}")
    return {
        status: OpenApiResponse(
            ErrorResponseSerializer, description=own.get(status, ERROR_DESCRIPTIONS[status])
        )
        for status in statuses
    }


def idempotency_key_parameter(description: str | None = None, *, required: bool = False) -> OpenApiParameter:
    """The ``Idempotency-Key`` header parameter (1-255 printable characters)."""
    return OpenApiParameter(
        IDEMPOTENCY_HEADER,
        dict(IDEMPOTENCY_KEY_SCHEMA),  # drf-spectacular takes a schema dict
        OpenApiParameter.HEADER,
        required=required,
        description=description
        or "Retries with the same key and the same JSON body replay the first response "
        "(`Idempotent-Replayed: true`); the key is kept 24 hours.",
    )


IDEMPOTENCY_KEY_PARAMETER = idempotency_key_parameter()


def page_parameters(item: str = "item") -> list[OpenApiParameter]:
    """``limit``, ``starting_after`` and ``ending_before`` of a cursor-paginated list, with the limits
    :class:`~dbay_common.drf.pagination.CursorPagination` enforces, for views that declare them."""
    from dbay_common.drf.pagination import CursorPagination

    parameters = []
    for parameter in CursorPagination().get_schema_operation_parameters(view=None):
        description = str(parameter["description"]).replace("item with this id", f"{item} with this id")
        parameters.append(
            OpenApiParameter(
                parameter["name"],
                dict(parameter["schema"]),
                OpenApiParameter.QUERY,
                required=False,
                description=description,
            )
        )
    return parameters


#: Which document drf-spectacular builds: ``public`` (served at ``openapi.json``, committed as
#: ``docs/api-contracts/<service>.yaml``) or ``internal`` (``docs/api-contracts/internal/<service>.yaml``).
OPENAPI_AUDIENCE_VARIABLE = "DBAY_OPENAPI_AUDIENCE"
INTERNAL_PATH_MARKER = "/internal/"


def preprocess_audience(
    endpoints: list[tuple[str, str, str, Any]], **kwargs: Any
) -> list[tuple[str, str, str, Any]]:
    """Keep the endpoints of one audience: the public document never lists ``.../internal/...``
    (service-to-service routes, which the gateway does not route either), and the internal document
    lists only them."""
    import os

    internal = os.environ.get(OPENAPI_AUDIENCE_VARIABLE, "public") == "internal"
    return [endpoint for endpoint in endpoints if (INTERNAL_PATH_MARKER in endpoint[0]) == internal]


def postprocess_common_responses(
    result: dict[str, Any], generator: Any, request: Any, public: bool, **kwargs: Any
) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: add every route's platform responses, the error shape
    component, and the API conventions to ``info.description`` (see :mod:`dbay_common.openapi`)."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in ERROR_SCHEMAS.items():
        schemas.setdefault(name, schema)
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method in _HTTP_METHODS:
                add_common_responses(operation, document_security=result.get("security"))
    info = result.setdefault("info", {})
    description = info.get("description")
    info["description"] = f"{description}\n\n{API_CONVENTIONS}" if description else API_CONVENTIONS
    return result
