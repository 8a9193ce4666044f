"""drf-spectacular integration: the Bearer security scheme and the error/list envelope schemas."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import serializers


class JwtAuthenticationScheme(OpenApiAuthenticationExtension):
    """Documents :class:`~dbay_common.drf.authentication.JwtAuthentication` as HTTP bearer (JWT)."""

    target_class = "dbay_common.drf.authentication.JwtAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}


class ErrorDetailSerializer(serializers.Serializer[Any]):
    """The ``error`` object (documentation only; errors are rendered by the exception handler)."""

    type = serializers.CharField()
    code = serializers.CharField()
    message = serializers.CharField()
    param = serializers.CharField(required=False)


class ErrorResponseSerializer(serializers.Serializer[Any]):
    """``{"error": {...}}``: use in ``@extend_schema(responses={400: ErrorResponseSerializer})``."""

    error = ErrorDetailSerializer()
