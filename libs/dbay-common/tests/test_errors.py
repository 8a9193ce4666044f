"""The error shape and the exception classes' defaults."""

from __future__ import annotations

import pytest

from dbay_common import errors
from dbay_common.errors import ApiError, RateLimited, error_body


def test_error_body_omits_param_when_none() -> None:
    assert error_body(type="invalid_request", code="x", message="m") == {
        "error": {"type": "invalid_request", "code": "x", "message": "m"}
    }
    assert error_body(type="invalid_request", code="x", message="m", param="amount") == {
        "error": {"type": "invalid_request", "code": "x", "message": "m", "param": "amount"}
    }


@pytest.mark.parametrize(
    ("cls", "status", "type_", "code"),
    [
        (errors.ApiError, 500, "api_error", "internal_error"),
        (errors.InvalidRequest, 400, "invalid_request", "invalid_request"),
        (errors.AuthenticationFailed, 401, "authentication_error", "authentication_failed"),
        (errors.PermissionDenied, 403, "permission_error", "permission_denied"),
        (errors.NotFound, 404, "not_found", "not_found"),
        (errors.MethodNotAllowed, 405, "invalid_request", "method_not_allowed"),
        (errors.Conflict, 409, "conflict", "conflict"),
        (errors.UnprocessableEntity, 422, "invalid_request", "unprocessable_entity"),
        (errors.RateLimited, 429, "rate_limit_error", "rate_limited"),
        (errors.ServiceUnavailable, 503, "api_error", "service_unavailable"),
    ],
)
def test_defaults(cls: type[ApiError], status: int, type_: str, code: str) -> None:
    error = cls()
    assert (error.status, error.type, error.code, error.param) == (status, type_, code, None)
    assert error.to_body() == {"error": {"type": type_, "code": code, "message": cls.default_message}}
    assert str(error) == cls.default_message


def test_overrides() -> None:
    error = errors.InvalidRequest("Not enough DOGE.", code="insufficient_funds", param="amount")
    assert error.to_body() == {
        "error": {
            "type": "invalid_request",
            "code": "insufficient_funds",
            "message": "Not enough DOGE.",
            "param": "amount",
        }
    }
    assert error.status == 400
    custom = ApiError("Gone.", status=410, type="invalid_request", code="gone")
    assert (custom.status, custom.type, custom.code, custom.message) == (
        410,
        "invalid_request",
        "gone",
        "Gone.",
    )


def test_headers() -> None:
    assert errors.AuthenticationFailed().headers == {"WWW-Authenticate": 'Bearer realm="api"'}
    assert RateLimited(retry_after_s=2.1).headers == {"Retry-After": "3"}
    assert RateLimited(retry_after_s=2.1).retry_after_s == 2.1
    assert RateLimited().headers == {}
    assert errors.Conflict().headers == {}


def test_subclasses_are_api_errors() -> None:
    assert isinstance(errors.NotFound(), ApiError)
    assert isinstance(errors.NotFound(), Exception)
