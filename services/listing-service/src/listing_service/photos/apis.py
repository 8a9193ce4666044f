"""HTTP API of listing photos: upload, reorder and delete (the seller), and the image files (anyone).

``PhotoOutputSerializer`` renders a :class:`~listing_service.photos.selectors.PhotoView`; listing
detail uses it for its ``photos``.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_serializer, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dbay_common.drf import request_user_id
from dbay_common.drf.schema import error_responses, idempotency_key_parameter
from dbay_common.errors import InvalidRequest, NotFound
from dbay_common.openapi import IDEMPOTENCY_HEADER, IDEMPOTENCY_KEY_MAX_LENGTH
from listing_service.photos import selectors, services
from listing_service.photos.models import MAX_PHOTOS_PER_LISTING, PhotoState
from listing_service.photos.selectors import SIZES, PhotoView, photos_for_listing
from listing_service.photos.storage import PhotoBlobMissing, photo_storage

#: Multipart framing around the file: boundaries, part headers, the file name.
MULTIPART_OVERHEAD_BYTES = 64 * 1024
#: Photo files never change (a new photo gets a new id), so anything may keep them for a year.
IMMUTABLE_CACHE_CONTROL = "public, max-age=31536000, immutable"
PROCESSING_RETRY_AFTER_S = 5


@extend_schema_serializer(component_name="PhotoUrls")
class PhotoUrlsSerializer(serializers.Serializer[dict[str, Any]]):
    thumb = serializers.CharField(allow_null=True, help_text="Longest side 320 px; null while processing.")
    display = serializers.CharField(allow_null=True, help_text="Longest side 1600 px; null while processing.")
    original = serializers.CharField(help_text="The upload, upright, without EXIF or any metadata.")


@extend_schema_serializer(component_name="Photo")
class PhotoOutputSerializer(serializers.Serializer[PhotoView]):
    id = serializers.UUIDField()
    position = serializers.IntegerField(min_value=0, max_value=MAX_PHOTOS_PER_LISTING - 1)
    state = serializers.ChoiceField(
        choices=PhotoState.values,
        help_text="`processing` until the thumbnail and display sizes are made, then `ready`.",
    )
    width = serializers.IntegerField(help_text="Of the original, in pixels.")
    height = serializers.IntegerField(help_text="Of the original, in pixels.")
    urls = PhotoUrlsSerializer()


def _photo_list_response(listing_id: UUID) -> Response:
    photos = PhotoOutputSerializer(photos_for_listing(listing_id), many=True)  # type: ignore[arg-type]
    return Response({"data": photos.data})


_PHOTO_LIST = inline_serializer("PhotoList", fields={"data": PhotoOutputSerializer(many=True)})


class PhotoUploadApi(APIView):
    permission_classes = (IsAuthenticated,)
    parser_classes = (MultiPartParser,)
    # Retries are recognised by the photo id derived from the key (services.photo_add): a multipart
    # body's boundary differs on each retry, so the middleware's byte-for-byte comparison cannot.
    idempotency_exempt = True

    @staticmethod
    def request_body_limit_bytes() -> int:
        """This route's body limit (listing_service.photos.middleware): the photo plus its framing."""
        return int(settings.PHOTO_MAX_BYTES) + MULTIPART_OVERHEAD_BYTES

    @extend_schema_serializer(component_name="PhotoUpload")
    class InputSerializer(serializers.Serializer[Any]):
        file = serializers.FileField(
            help_text="One JPEG, PNG or WebP image (recognised by its content), at most 10 MiB, "
            "40 million pixels, at least 200 px on its shorter side."
        )

    @extend_schema(
        operation_id="listing_photo_upload",
        summary="Add a photo to a listing",
        description=f"The listing's seller adds one photo per request (multipart field `file`), up to "
        f"{MAX_PHOTOS_PER_LISTING} per listing, while the listing is a draft, scheduled or active. "
        "The stored original is turned upright (EXIF orientation) and stripped of all metadata; its "
        "thumbnail and display sizes are made in the background (`state` is `processing` until then).",
        request={"multipart/form-data": InputSerializer},
        parameters=[
            idempotency_key_parameter(
                "Retrying the same file with the same key returns the photo the first request added "
                "(`Idempotent-Replayed: true`); another file with that key is refused with 422."
            )
        ],
        responses={
            201: PhotoOutputSerializer,
            **error_responses(
                403,
                404,
                409,
                descriptions={
                    403: "The caller is not the listing's seller.",
                    404: "No such listing (or a draft of another seller).",
                    409: "The listing has 12 photos, or can no longer be changed.",
                },
            ),
        },
    )
    def post(self, request: Request, listing_id: UUID) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        if upload.size > settings.PHOTO_MAX_BYTES:
            raise services.photo_too_large()  # refused before it is read into memory
        key = request.headers.get(IDEMPOTENCY_HEADER)
        if key is not None and not (0 < len(key) <= IDEMPOTENCY_KEY_MAX_LENGTH and key.isprintable()):
            raise InvalidRequest(
                f"The Idempotency-Key header must be 1 to {IDEMPOTENCY_KEY_MAX_LENGTH} printable characters.",
                code="invalid_idempotency_key",
                param=IDEMPOTENCY_HEADER,
            )
        added = services.photo_add(
            listing_id=listing_id,
            seller_id=request_user_id(request),
            upload=upload.read(),
            idempotency_key=key,
        )
        response = Response(PhotoOutputSerializer(PhotoView.of(added.photo)).data, status=201)
        if added.replayed:
            response["Idempotent-Replayed"] = "true"
        return response


class PhotoReorderApi(APIView):
    permission_classes = (IsAuthenticated,)

    @extend_schema_serializer(component_name="PhotoOrder")
    class InputSerializer(serializers.Serializer[Any]):
        photo_ids = serializers.ListField(
            child=serializers.UUIDField(),
            max_length=MAX_PHOTOS_PER_LISTING,
            help_text="Every photo of the listing, once each, in the new order.",
        )

    @extend_schema(
        operation_id="listing_photo_reorder",
        summary="Reorder a listing's photos",
        request=InputSerializer,
        responses={200: _PHOTO_LIST, **error_responses(403, 404, 409)},
    )
    def put(self, request: Request, listing_id: UUID) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.photo_reorder(
            listing_id=listing_id,
            seller_id=request_user_id(request),
            photo_ids=list(data.validated_data["photo_ids"]),
        )
        return _photo_list_response(listing_id)


class PhotoDeleteApi(APIView):
    permission_classes = (IsAuthenticated,)

    @extend_schema(
        operation_id="listing_photo_delete",
        summary="Delete a listing's photo",
        description="The photos after it move up one place. Answers the remaining photos.",
        responses={200: _PHOTO_LIST, **error_responses(403, 404, 409)},
    )
    def delete(self, request: Request, listing_id: UUID, photo_id: UUID) -> Response:
        services.photo_delete(listing_id=listing_id, photo_id=photo_id, seller_id=request_user_id(request))
        return _photo_list_response(listing_id)


class PhotoFileApi(APIView):
    authentication_classes = ()
    permission_classes = ()

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # Browsers ask for image/*: the image is the answer, and errors are JSON whatever was asked.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        operation_id="listing_photo_file",
        summary="A photo's image file",
        description="`thumb` (longest side 320 px, JPEG), `display` (1600 px, JPEG) or `original` "
        "(the upload's format, upright, without metadata). Files never change: cache them for a year; "
        "`If-None-Match` with the ETag answers 304.",
        auth=[],
        responses={
            (200, "image/webp"): OpenApiResponse(OpenApiTypes.BINARY, description="The image."),
            (200, "image/jpeg"): OpenApiResponse(OpenApiTypes.BINARY, description="The image."),
            (200, "image/png"): OpenApiResponse(OpenApiTypes.BINARY, description="The image."),
            304: OpenApiResponse(description="The ETag in `If-None-Match` is this file's."),
            **error_responses(
                404, descriptions={404: "No such photo or size, or the size is still being made."}
            ),
        },
    )
    def get(self, request: Request, photo_id: UUID, size: str) -> HttpResponse:
        if size not in SIZES:
            raise NotFound(f"Photo sizes are {', '.join(SIZES)}.", code="photo_size_unknown", param="size")
        blob = selectors.photo_blob(photo_id, size)
        if blob is None:
            raise NotFound(
                "There is no such photo, or this size of it is still being made.", code="photo_not_found"
            )
        etag = f'"{blob.etag}"'
        headers = {"ETag": etag, "Cache-Control": IMMUTABLE_CACHE_CONTROL}
        if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
            return HttpResponse(status=304, headers=headers)
        try:
            content = photo_storage().get(blob.key)
        except PhotoBlobMissing:
            raise NotFound("There is no such photo.", code="photo_not_found") from None
        return HttpResponse(content, content_type=blob.content_type, headers=headers)
