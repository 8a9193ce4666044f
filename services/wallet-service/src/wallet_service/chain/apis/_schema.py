"""What the chain side's views share in their OpenAPI descriptions: the error responses."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse

from dbay_common.drf.schema import ErrorResponseSerializer

_DEFAULT_DESCRIPTIONS = {
    400: "Invalid input (the shared error shape names the parameter).",
    401: "No valid token.",
    403: "Not allowed: a role or a fresh 2FA check is missing.",
    404: "No such object (or not the caller's).",
    409: "The object is not in a state that allows this.",
    422: "The Idempotency-Key was already used with another request.",
    429: "Too many requests; retry after the Retry-After header.",
}


def errors(*statuses: int, **descriptions: str) -> dict[int, OpenApiResponse]:
    """``{status: OpenApiResponse(error shape)}`` for ``statuses``; ``descriptions`` as ``e400="..."``."""
    return {
        status: OpenApiResponse(
            ErrorResponseSerializer,
            description=descriptions.get(f"e{status}", _DEFAULT_DESCRIPTIONS[status]),
        )
        for status in statuses
    }
