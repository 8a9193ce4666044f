"""Public HTTP API of listing-service: thin views that parse input, call one function, render output."""

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from listing_service.listings.selectors import api_index


class ListingsIndexApi(APIView):
    """GET /api/v1/listings/: the API root. Public, so the gateway route can be checked end to end."""

    authentication_classes = ()
    permission_classes = (AllowAny,)

    @extend_schema_serializer(component_name="ListingsIndex")
    class OutputSerializer(serializers.Serializer[dict[str, Any]]):
        service = serializers.CharField()
        version = serializers.CharField()
        openapi_url = serializers.CharField()
        docs_url = serializers.CharField()

    @extend_schema(
        operation_id="listings_index",
        summary="API index",
        description="Which service answers, its version, and where its OpenAPI document and docs are.",
        responses={200: OutputSerializer},
    )
    def get(self, request: Request) -> Response:
        return Response(self.OutputSerializer(api_index()).data)
