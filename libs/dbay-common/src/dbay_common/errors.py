"""The one error shape of every dBay API, and the exceptions that produce it.

Every 4xx/5xx body in dBay looks like
``{"error": {"type": "invalid_request", "code": "insufficient_funds", "message": "...", "param": "amount"}}``
(Stripe's shape): ``type`` is the broad class a client branches on, ``code`` the machine-readable
reason, ``message`` a human sentence, ``param`` the offending input field when there is one.

Services raise these exceptions from services and views; the DRF exception handler
(:mod:`dbay_common.drf`) and the Flask error handlers (:mod:`dbay_common.flask`) render them, so no
view builds an error body by hand.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar


def error_body(*, type: str, code: str, message: str, param: str | None = None) -> dict[str, Any]:
    """Build the error document. ``param`` is omitted (not null) when no single input is at fault."""
    error: dict[str, Any] = {"type": type, "code": code, "message": message}
    if param is not None:
        error["param"] = param
    return {"error": error}


class ApiError(Exception):
    """An error the API reports to its client with a given status, type and code.

    Subclasses set the defaults; every instance may override ``code`` (the reason a client can act
    on, e.g. ``"insufficient_funds"``), ``param`` and, rarely, ``status``. ``headers`` are added to the
    response (``Retry-After``, ``WWW-Authenticate``...).
    """

    default_status: ClassVar[int] = 500
    default_type: ClassVar[str] = "api_error"
    default_code: ClassVar[str] = "internal_error"
    default_message: ClassVar[str] = "An internal error occurred."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        param: str | None = None,
        status: int | None = None,
        type: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.status: int = status if status is not None else self.default_status
        self.type: str = type if type is not None else self.default_type
        self.code: str = code if code is not None else self.default_code
        self.message: str = message if message is not None else self.default_message
        self.param: str | None = param
        self.headers: dict[str, str] = dict(headers or {})
        super().__init__(self.message)

    def to_body(self) -> dict[str, Any]:
        """The JSON document for this error (see :func:`error_body`)."""
        return error_body(type=self.type, code=self.code, message=self.message, param=self.param)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status}, type={self.type!r}, code={self.code!r}, "
            f"message={self.message!r}, param={self.param!r})"
        )


class InvalidRequest(ApiError):  # noqa: N818 - name fixed by the shared API
    """The request is malformed or its input is invalid (400). Nothing was changed."""

    default_status = 400
    default_type = "invalid_request"
    default_code = "invalid_request"
    default_message = "The request is invalid."


class AuthenticationFailed(ApiError):  # noqa: N818 - name fixed by the shared API
    """No valid credentials were presented (401). Clients should (re)authenticate."""

    default_status = 401
    default_type = "authentication_error"
    default_code = "authentication_failed"
    default_message = "Authentication credentials were missing or invalid."

    def __init__(self, message: str | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        # RFC 9110 requires a challenge on every 401.
        self.headers.setdefault("WWW-Authenticate", 'Bearer realm="api"')


class PermissionDenied(ApiError):  # noqa: N818 - name fixed by the shared API
    """Authenticated, but not allowed to do this (403)."""

    default_status = 403
    default_type = "permission_error"
    default_code = "permission_denied"
    default_message = "You do not have permission to perform this action."


class NotFound(ApiError):  # noqa: N818 - name fixed by the shared API
    """The resource or route does not exist, or is not visible to the caller (404)."""

    default_status = 404
    default_type = "not_found"
    default_code = "not_found"
    default_message = "The requested resource does not exist."


class MethodNotAllowed(ApiError):  # noqa: N818 - name fixed by the shared API
    """The route exists but not for this HTTP method (405)."""

    default_status = 405
    default_type = "invalid_request"
    default_code = "method_not_allowed"
    default_message = "This method is not allowed on this resource."


class Conflict(ApiError):  # noqa: N818 - name fixed by the shared API
    """The request conflicts with the current state of the resource (409), e.g. auction closed."""

    default_status = 409
    default_type = "conflict"
    default_code = "conflict"
    default_message = "The request conflicts with the current state of the resource."


class UnprocessableEntity(ApiError):  # noqa: N818 - name fixed by the shared API
    """Well-formed but semantically unacceptable (422), e.g. an Idempotency-Key reused with another body."""

    default_status = 422
    default_type = "invalid_request"
    default_code = "unprocessable_entity"
    default_message = "The request could not be processed."


class RateLimited(ApiError):  # noqa: N818 - name fixed by the shared API
    """Too many requests (429). ``retry_after_s`` becomes the ``Retry-After`` header."""

    default_status = 429
    default_type = "rate_limit_error"
    default_code = "rate_limited"
    default_message = "Too many requests; slow down."

    def __init__(
        self, message: str | None = None, *, retry_after_s: float | None = None, **kwargs: Any
    ) -> None:
        super().__init__(message, **kwargs)
        self.retry_after_s = retry_after_s
        if retry_after_s is not None:
            # Retry-After takes whole seconds; round up so a client never retries too early.
            self.headers["Retry-After"] = str(max(0, math.ceil(retry_after_s)))


class ServiceUnavailable(ApiError):  # noqa: N818 - name fixed by the shared API
    """A dependency is down or the service is overloaded (503); the client may retry later."""

    default_status = 503
    default_type = "api_error"
    default_code = "service_unavailable"
    default_message = "The service is temporarily unavailable; try again later."


def error_type_for_status(status: int) -> str:
    """The ``type`` to report for a bare HTTP status (used when mapping framework exceptions)."""
    return {
        401: AuthenticationFailed.default_type,
        403: PermissionDenied.default_type,
        404: NotFound.default_type,
        409: Conflict.default_type,
        429: RateLimited.default_type,
    }.get(status, "invalid_request" if 400 <= status < 500 else "api_error")
