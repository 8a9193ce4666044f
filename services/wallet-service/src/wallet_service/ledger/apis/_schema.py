"""What the ledger's views share in their OpenAPI descriptions."""

from drf_spectacular.utils import OpenApiResponse

from dbay_common.drf.schema import ErrorResponseSerializer

ERRORS = {
    400: OpenApiResponse(ErrorResponseSerializer, description="Invalid input or insufficient funds."),
    401: OpenApiResponse(ErrorResponseSerializer, description="No valid token."),
    403: OpenApiResponse(ErrorResponseSerializer, description="Not allowed, or the account is frozen."),
    404: OpenApiResponse(ErrorResponseSerializer, description="No such hold or account."),
    409: OpenApiResponse(ErrorResponseSerializer, description="Id reused differently, or hold resolved."),
}
