"""Flask pieces: the app factory, error handlers, health, JWT decorator and Idempotency-Key."""

from dbay_common.flask.app import (
    Blueprint,
    ErrorResponseSchema,
    ServiceApi,
    create_service_app,
    flask_config_from_env,
    install_request_ids,
)
from dbay_common.flask.auth import (
    flask_jwt_verifier,
    fresh_mfa_required,
    jwt_required,
    request_claims,
    request_user_id,
    session_now,
)
from dbay_common.flask.errors import register_error_handlers
from dbay_common.flask.fields import KoinuField
from dbay_common.flask.health import config_check, health_blueprint
from dbay_common.flask.idempotency import IdempotencyStore, idempotent
from dbay_common.flask.index import add_api_index

__all__ = [
    "Blueprint",
    "ErrorResponseSchema",
    "IdempotencyStore",
    "KoinuField",
    "ServiceApi",
    "add_api_index",
    "config_check",
    "create_service_app",
    "flask_config_from_env",
    "flask_jwt_verifier",
    "fresh_mfa_required",
    "health_blueprint",
    "idempotent",
    "install_request_ids",
    "jwt_required",
    "register_error_handlers",
    "request_claims",
    "request_user_id",
    "session_now",
]
