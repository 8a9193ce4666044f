"""Public reads: a seller's profile (``sellers/{username}``), the token keys (``.well-known/jwks.json``)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_serializer, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from dbay_common.drf.schema import error_responses
from user_service.accounts import selectors
from user_service.accounts.apis.common import PublicApi


class SellerProfileApi(PublicApi):
    @extend_schema_serializer(component_name="SellerProfile")
    class OutputSerializer(serializers.Serializer[Any]):
        id = serializers.UUIDField(help_text="The member's id: the `seller_id` of their listings.")
        username = serializers.CharField()
        display_name = serializers.CharField()
        avatar_url = serializers.CharField()
        location = serializers.CharField()
        bio = serializers.CharField()
        member_since = serializers.DateTimeField()
        rating = inline_serializer(
            "SellerRating",
            fields={
                "count": serializers.IntegerField(),
                "average": serializers.FloatField(allow_null=True),
            },
        )
        listing_count = serializers.IntegerField()

    @extend_schema(
        operation_id="sellers_get",
        summary="A seller's public profile",
        description=(
            "No sign-in needed. `rating` and `listing_count` are placeholders (0 / null) until orders and "
            "listings feed them."
        ),
        responses={200: OutputSerializer, **error_responses(404)},
    )
    def get(self, request: Request, username: str) -> Response:
        seller = selectors.seller_profile_get(username=username)
        return Response(self.OutputSerializer(seller).data)


class JwksApi(PublicApi):
    @extend_schema(
        operation_id="jwks",
        summary="Public keys of the access tokens (JWKS)",
        description=(
            "RFC 7517 key set: the current signing key, the previous one (tokens it signed still "
            "verify) and a new one about to activate. Cacheable for 5 minutes; refetch on an unknown `kid`."
        ),
        responses={
            200: inline_serializer(
                "Jwks",
                fields={"keys": serializers.ListField(child=serializers.DictField())},
            )
        },
        examples=[
            OpenApiExample(
                "One key",
                value={
                    "keys": [
                        {"kty": "RSA", "kid": "Xq3...", "use": "sig", "alg": "RS256", "n": "...", "e": "AQAB"}
                    ]
                },
                response_only=True,
            )
        ],
    )
    def get(self, request: Request) -> Response:
        return Response(selectors.jwks_document(), headers={"Cache-Control": "public, max-age=300"})
