"""The settings every Django service shares, built from the environment.

Each service's ``settings.py`` starts with one call::

    from dbay_common.django.conf import common_settings

    globals().update(
        common_settings(__name__, api_prefix="api/v1/listings/", installed_apps=["listing_service.listings"],
                        database_name="listing", redis_db=1)
    )
    # service-specific settings follow, read with dbay_common.settings helpers

(``__name__`` gives the service's name, its root URLconf and its folder; ``DBAY_EVENT_HANDLERS``
defaults to the first app's ``events.HANDLERS``.)

so the rules (JSON-only DRF, error shape, JWT, idempotency, JSON logs, fail-fast secrets) cannot drift
between services. Secrets and URLs have development defaults that point at ``scripts/devstack``; in
production (``DBAY_ENV=production``) a missing one raises :class:`~dbay_common.settings.MissingSetting`
at import, which stops the process before it serves anything.
"""

from __future__ import annotations

import importlib.util
import uuid
from pathlib import Path
from typing import Any

from dbay_common.jwt import jwt_settings_from_env
from dbay_common.logging import configure_logging
from dbay_common.request_body import max_request_body_bytes
from dbay_common.sessions import user_service_url
from dbay_common.settings import (
    current_env,
    database_from_url,
    dev_url,
    env_bool,
    env_int,
    env_list,
    env_str,
    is_production,
)

# A development-only key: long and random-looking so Django's checks stay quiet, and obviously not
# a production secret. Production must set DJANGO_SECRET_KEY.
_DEV_SECRET_KEY = "dbay-development-only-secret-key-0f3c9a5e1d7b4c2a8e6f0b9d3a7c5e1f-never-use-in-production"

BASE_INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",  # DRF imports its models (AnonymousUser, permissions)
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served by the service (no CDN)
    "dbay_common.django.idempotency",
    "dbay_common.django.outbox",
]

BASE_MIDDLEWARE = [
    "dbay_common.django.middleware.RequestIdMiddleware",
    "dbay_common.django.middleware.BodySizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "dbay_common.django.idempotency.middleware.IdempotencyMiddleware",
]


def _test_database_name(database_name: str) -> str:
    return f"test_{database_name}_{uuid.uuid4().hex[:10]}"


def common_settings(
    settings_module: str | None = None,
    *,
    service: str | None = None,
    base_dir: Path | None = None,
    root_urlconf: str | None = None,
    api_prefix: str,
    installed_apps: list[str],
    database_name: str,
    redis_db: int,
    extra_middleware: list[str] | None = None,
    event_source: str | None = None,
) -> dict[str, Any]:
    """Return the shared Django settings for ``service`` (see the module docstring for usage).

    ``api_prefix`` is the public path the gateway routes to the service, as a Django route
    (``"api/v1/wallet/"``): :func:`dbay_common.django.urls.public_api_urlpatterns` mounts the API
    there, and Swagger UI's files are served below it (``STATIC_URL``). ``event_source`` is the
    ``source`` of every event the service publishes; it defaults to ``dbay.<service without
    -service>`` (``wallet-service`` publishes as ``dbay.wallet``).

    Tests get a database of their own, ``test_<database_name>_<random>``, so two runs at once (two
    developers, CI jobs, a service's suite beside the library's) never drop each other's database.
    """
    if settings_module is not None:
        # "listing_service.settings" -> listing-service, listing_service.urls, the folder above the package.
        package = settings_module.rpartition(".")[0]
        spec = importlib.util.find_spec(package)
        if spec is None or spec.origin is None:
            raise ValueError(f"{settings_module!r} is not a module of an importable package")
        service = service or package.replace("_", "-")
        root_urlconf = root_urlconf or f"{package}.urls"
        base_dir = base_dir or Path(spec.origin).resolve().parent.parent
    if service is None or root_urlconf is None or base_dir is None:
        raise ValueError("pass the settings module's __name__, or service, base_dir and root_urlconf")
    if api_prefix.startswith("/") or not api_prefix.endswith("/"):
        raise ValueError(f"api_prefix must look like 'api/v1/<name>/', got {api_prefix!r}")
    # Read in the order an operator fixes them: the secret first, then where to listen, then stores.
    production = is_production()
    secret_key = env_str("DJANGO_SECRET_KEY", dev_default=_DEV_SECRET_KEY)
    debug = env_bool("DJANGO_DEBUG", default=False)
    allowed_hosts = env_list(
        "DJANGO_ALLOWED_HOSTS", dev_default=["localhost", "127.0.0.1", "[::1]", "testserver"]
    )
    database_url = env_str("DATABASE_URL", dev_default=dev_url("postgres", name=database_name))
    redis_url = env_str("REDIS_URL", dev_default=dev_url("redis", name=str(redis_db)))
    event_bus_redis_url = env_str("EVENT_BUS_REDIS_URL", dev_default=dev_url("redis", name="0"))
    jwt = jwt_settings_from_env()
    log_level = env_str("LOG_LEVEL", default="INFO")

    settings: dict[str, Any] = {
        "DBAY_ENV": current_env(),
        "DBAY_SERVICE": service,
        "DBAY_EVENT_SOURCE": event_source or f"dbay.{service.removesuffix('-service')}",
        # What `manage.py consume_events` dispatches: the first app's events.HANDLERS by default.
        "DBAY_EVENT_HANDLERS": f"{installed_apps[0]}.events:HANDLERS" if installed_apps else "",
        "BASE_DIR": base_dir,
        "SECRET_KEY": secret_key,
        "DEBUG": debug,
        "ALLOWED_HOSTS": allowed_hosts,
        "ROOT_URLCONF": root_urlconf,
        "DBAY_API_PREFIX": api_prefix,
        # Only Swagger UI's files are static, served by the service itself under its public path.
        "STATIC_URL": f"/{api_prefix}static/",
        "USE_TZ": True,
        "TIME_ZONE": "UTC",
        "USE_I18N": False,
        "LANGUAGE_CODE": "en-us",
        "DEFAULT_AUTO_FIELD": "django.db.models.BigAutoField",
        "INSTALLED_APPS": [*BASE_INSTALLED_APPS, *installed_apps],
        "MIDDLEWARE": [*BASE_MIDDLEWARE, *(extra_middleware or [])],
        "TEMPLATES": [
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "DIRS": [],
                "APP_DIRS": True,
                "OPTIONS": {"context_processors": []},
            }
        ],
        "DATABASES": {
            "default": {
                **database_from_url(database_url),
                "TEST": {"NAME": _test_database_name(database_name)},
            }
        },
        "REDIS_URL": redis_url,
        "REST_FRAMEWORK": {
            "EXCEPTION_HANDLER": "dbay_common.drf.exception_handler",
            "DEFAULT_AUTHENTICATION_CLASSES": ["dbay_common.drf.JwtAuthentication"],
            # Views opt in to authentication explicitly; a forgotten IsAuthenticated shows in review
            # and in the OpenAPI document (no security requirement), unlike a forgotten AllowAny.
            "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
            "DEFAULT_PAGINATION_CLASS": "dbay_common.drf.CursorPagination",
            "PAGE_SIZE": 20,
            "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
            "DEFAULT_PARSER_CLASSES": ["dbay_common.drf.parsers.JSONParser"],
            "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
            "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
            "COERCE_DECIMAL_TO_STRING": True,
            "TEST_REQUEST_DEFAULT_FORMAT": "json",
        },
        "SPECTACULAR_SETTINGS": {
            "TITLE": f"dBay {service}",
            "VERSION": "1.0.0",
            "SERVE_INCLUDE_SCHEMA": False,
            "COMPONENT_SPLIT_REQUEST": True,
            "SWAGGER_UI_DIST": "SIDECAR",
            "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
            # The public document leaves internal routes out; they have a document of their own.
            "PREPROCESSING_HOOKS": ["dbay_common.drf.schema.preprocess_audience"],
            # Every route's platform responses (400/401/413/415/409/422/503) and the error shape.
            "POSTPROCESSING_HOOKS": [
                "drf_spectacular.hooks.postprocess_schema_enums",
                "dbay_common.drf.schema.postprocess_common_responses",
            ],
        },
        "LOGGING": configure_logging(service=service, level=log_level, apply=False),
        "CELERY_BROKER_URL": redis_url,
        "CELERY_RESULT_BACKEND": redis_url,
        "CELERY_TASK_SERIALIZER": "json",
        "CELERY_RESULT_SERIALIZER": "json",
        "CELERY_ACCEPT_CONTENT": ["json"],
        "CELERY_TIMEZONE": "UTC",
        "CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP": True,
        "DBAY_EVENT_BUS_REDIS_URL": event_bus_redis_url,
        # user-service inside the platform: where session_now() confirms a session (dbay_common.sessions).
        "DBAY_USER_SERVICE_URL": user_service_url(),
        "JWT_ISSUER": jwt["issuer"],
        "JWT_AUDIENCE": jwt["audience"],
        "JWT_JWKS_URL": jwt["jwks_url"],
        "DBAY_IDEMPOTENCY_TTL_S": env_int("IDEMPOTENCY_TTL_S", default=24 * 3600),
        "DBAY_IDEMPOTENCY_LOCK_TIMEOUT_S": env_int("IDEMPOTENCY_LOCK_TIMEOUT_S", default=120),
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "SECURE_REFERRER_POLICY": "same-origin",
        "SECURE_CROSS_ORIGIN_OPENER_POLICY": "same-origin",
        "X_FRAME_OPTIONS": "DENY",
        # Bodies past this are refused with 413 before they are read (dbay_common.request_body).
        "DATA_UPLOAD_MAX_MEMORY_SIZE": max_request_body_bytes(),
    }
    if production:
        # TLS ends at the ingress, which sets X-Forwarded-Proto.
        settings["SECURE_PROXY_SSL_HEADER"] = ("HTTP_X_FORWARDED_PROTO", "https")
    return settings
