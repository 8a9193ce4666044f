"""What the ledger's views share in their OpenAPI descriptions: the errors, in the ledger's words."""

from dbay_common.drf.schema import error_responses

ERRORS = error_responses(
    400,
    401,
    403,
    404,
    409,
    descriptions={
        400: "Invalid input or insufficient funds.",
        401: "No valid token.",
        403: "Not allowed, or the account is frozen.",
        404: "No such hold or account.",
        409: "Id reused differently, or hold resolved.",
    },
)
