"""Settings helpers: environment first, production without dev defaults, exact error messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from dbay_common.django.conf import common_settings
from dbay_common.settings import (
    InvalidSetting,
    MissingSetting,
    current_env,
    database_from_url,
    dev_url,
    env_bool,
    env_int,
    env_list,
    env_str,
    is_production,
)

PORT_VARIABLES = (
    "DBAY_PG_PORT",
    "DBAY_REDIS_PORT",
    "DBAY_MEMCACHED_PORT",
    "DBAY_ES_PORT",
    "DBAY_MONGO_PORT",
    "DBAY_NODE_RPC_PORT",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "DBAY_ENV",
        "X_TEST",
        "DJANGO_SECRET_KEY",
        "DJANGO_DEBUG",
        "DJANGO_ALLOWED_HOSTS",
        "DATABASE_URL",
        "REDIS_URL",
        "EVENT_BUS_REDIS_URL",
        "JWT_ISSUER",
        "JWT_AUDIENCE",
        "JWT_JWKS_URL",
        *PORT_VARIABLES,
    ):
        monkeypatch.delenv(name, raising=False)


def test_current_env(monkeypatch: pytest.MonkeyPatch) -> None:
    assert current_env() == "development"
    assert is_production() is False
    for env in ("development", "test", "production"):
        monkeypatch.setenv("DBAY_ENV", env)
        assert current_env() == env
    assert is_production() is True
    monkeypatch.setenv("DBAY_ENV", "prod")
    with pytest.raises(
        InvalidSetting, match="DBAY_ENV must be one of development, test, production, not 'prod'"
    ):
        current_env()


def test_env_str_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    assert env_str("X_TEST", default="d", dev_default="dev") == "d"
    assert env_str("X_TEST", dev_default="dev") == "dev"
    monkeypatch.setenv("X_TEST", "set")
    assert env_str("X_TEST", default="d", dev_default="dev") == "set"
    monkeypatch.setenv("X_TEST", "   ")  # blank counts as unset
    assert env_str("X_TEST", dev_default="dev") == "dev"


def test_env_str_missing_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(MissingSetting, match=r"^environment variable X_TEST is required$"):
        env_str("X_TEST")
    monkeypatch.setenv("DBAY_ENV", "production")
    with pytest.raises(MissingSetting, match=r"X_TEST is required .*DBAY_ENV=production"):
        env_str("X_TEST", dev_default="dev")
    assert env_str("X_TEST", default="safe") == "safe"


def test_env_int(monkeypatch: pytest.MonkeyPatch) -> None:
    assert env_int("X_TEST", default=5) == 5
    assert env_int("X_TEST", dev_default=6) == 6
    monkeypatch.setenv("X_TEST", "42")
    assert env_int("X_TEST") == 42
    monkeypatch.setenv("X_TEST", "4.2")
    with pytest.raises(InvalidSetting, match=r"X_TEST must be an integer, not '4\.2'"):
        env_int("X_TEST")
    monkeypatch.delenv("X_TEST")
    with pytest.raises(MissingSetting, match="X_TEST"):
        env_int("X_TEST")


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("1", True),
        ("true", True),
        ("YES", True),
        ("on", True),
        ("0", False),
        ("False", False),
        ("off", False),
    ],
)
def test_env_bool(monkeypatch: pytest.MonkeyPatch, raw: str, value: bool) -> None:
    monkeypatch.setenv("X_TEST", raw)
    assert env_bool("X_TEST") is value


def test_env_bool_default_and_junk(monkeypatch: pytest.MonkeyPatch) -> None:
    assert env_bool("X_TEST") is False
    assert env_bool("X_TEST", default=True) is True
    monkeypatch.setenv("X_TEST", "ture")
    with pytest.raises(InvalidSetting, match="X_TEST must be a boolean"):
        env_bool("X_TEST")


def test_env_list(monkeypatch: pytest.MonkeyPatch) -> None:
    assert env_list("X_TEST") == []
    assert env_list("X_TEST", default=("a",)) == ["a"]
    assert env_list("X_TEST", dev_default=["dev"]) == ["dev"]
    monkeypatch.setenv("X_TEST", " a, b ,,c ")
    assert env_list("X_TEST") == ["a", "b", "c"]
    monkeypatch.delenv("X_TEST")
    monkeypatch.setenv("DBAY_ENV", "production")
    with pytest.raises(MissingSetting, match="X_TEST"):
        env_list("X_TEST", dev_default=["dev"])


def test_dev_urls_default_ports() -> None:
    assert dev_url("postgres", name="wallet") == "postgres://postgres@127.0.0.1:55432/wallet"
    assert dev_url("redis") == "redis://127.0.0.1:56379/0"
    assert dev_url("redis", name="3") == "redis://127.0.0.1:56379/3"
    assert dev_url("memcached") == "127.0.0.1:51211"
    assert dev_url("elasticsearch") == "http://127.0.0.1:59200"
    assert dev_url("mongodb") == "mongodb://127.0.0.1:57017/"
    assert dev_url("mongodb", name="messaging") == "mongodb://127.0.0.1:57017/messaging"
    assert dev_url("dogecoin") == "http://dbay:dbay@127.0.0.1:58332/"
    with pytest.raises(ValueError, match="unknown store 'mysql'"):
        dev_url("mysql")


def test_dev_urls_port_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    for index, name in enumerate(PORT_VARIABLES):
        monkeypatch.setenv(name, str(40000 + index))
    assert dev_url("postgres", name="x") == "postgres://postgres@127.0.0.1:40000/x"
    assert dev_url("redis", name="1") == "redis://127.0.0.1:40001/1"
    assert dev_url("memcached") == "127.0.0.1:40002"
    assert dev_url("elasticsearch") == "http://127.0.0.1:40003"
    assert dev_url("mongodb", name="m") == "mongodb://127.0.0.1:40004/m"
    assert dev_url("dogecoin") == "http://dbay:dbay@127.0.0.1:40005/"


def test_database_from_url() -> None:
    assert database_from_url("postgres://app:p%40ss@db.internal:6432/wallet?sslmode=require") == {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "wallet",
        "USER": "app",
        "PASSWORD": "p@ss",
        "HOST": "db.internal",
        "PORT": "6432",
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
        "ATOMIC_REQUESTS": False,
        "OPTIONS": {"sslmode": "require"},
    }
    assert database_from_url("postgresql://postgres@127.0.0.1:55432/order")["NAME"] == "order"
    with pytest.raises(InvalidSetting, match="postgres://"):
        database_from_url("mysql://x@y/z")
    with pytest.raises(InvalidSetting, match="name a database"):
        database_from_url("postgres://x@y:1/")


def build() -> dict[str, object]:
    return common_settings(
        service="wallet-service",
        base_dir=Path("/srv/wallet"),
        root_urlconf="wallet_service.urls",
        api_prefix="api/v1/wallet/",
        installed_apps=["wallet_service"],
        database_name="wallet",
        redis_db=3,
        extra_middleware=["x.Middleware"],
    )


def test_common_settings_development_defaults() -> None:
    settings = build()
    assert settings["SECRET_KEY"].startswith("dbay-development-only")  # type: ignore[union-attr]
    assert settings["DEBUG"] is False
    assert settings["DATABASES"]["default"]["NAME"] == "wallet"  # type: ignore[index]
    assert settings["DATABASES"]["default"]["PORT"] == "55432"  # type: ignore[index]
    assert settings["REDIS_URL"] == "redis://127.0.0.1:56379/3"
    assert settings["CELERY_BROKER_URL"] == settings["CELERY_RESULT_BACKEND"] == "redis://127.0.0.1:56379/3"
    assert settings["DBAY_EVENT_BUS_REDIS_URL"] == "redis://127.0.0.1:56379/0"
    assert settings["DBAY_SERVICE"] == "wallet-service"
    assert settings["INSTALLED_APPS"] == [
        "django.contrib.contenttypes",
        "django.contrib.auth",
        "rest_framework",
        "drf_spectacular",
        "drf_spectacular_sidecar",
        "dbay_common.django.idempotency",
        "dbay_common.django.outbox",
        "wallet_service",
    ]
    assert settings["MIDDLEWARE"] == [
        "dbay_common.django.middleware.RequestIdMiddleware",
        "dbay_common.django.middleware.BodySizeLimitMiddleware",
        "django.middleware.security.SecurityMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
        "dbay_common.django.idempotency.middleware.IdempotencyMiddleware",
        "x.Middleware",
    ]
    rest = settings["REST_FRAMEWORK"]
    assert rest["EXCEPTION_HANDLER"] == "dbay_common.drf.exception_handler"  # type: ignore[index]
    assert rest["DEFAULT_PERMISSION_CLASSES"] == ["rest_framework.permissions.AllowAny"]  # type: ignore[index]
    assert rest["DEFAULT_RENDERER_CLASSES"] == ["rest_framework.renderers.JSONRenderer"]  # type: ignore[index]
    assert settings["SPECTACULAR_SETTINGS"] == {
        "TITLE": "dBay wallet-service",
        "VERSION": "1.0.0",
        "SERVE_INCLUDE_SCHEMA": False,
        "COMPONENT_SPLIT_REQUEST": True,
        "SWAGGER_UI_DIST": "SIDECAR",
        "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
        "PREPROCESSING_HOOKS": ["dbay_common.drf.schema.preprocess_audience"],
        "POSTPROCESSING_HOOKS": [
            "drf_spectacular.hooks.postprocess_schema_enums",
            "dbay_common.drf.schema.postprocess_common_responses",
        ],
    }
    assert settings["DBAY_API_PREFIX"] == "api/v1/wallet/"
    assert settings["STATIC_URL"] == "/api/v1/wallet/static/"
    assert settings["USE_TZ"] is True and settings["TIME_ZONE"] == "UTC"
    assert settings["JWT_ISSUER"] == "dbay-user-service"
    assert settings["JWT_AUDIENCE"] == ["dbay-api"]
    assert settings["JWT_JWKS_URL"] == "http://127.0.0.1:8004/api/v1/user/.well-known/jwks.json"
    assert settings["LOGGING"]["formatters"]["json"]["service"] == "wallet-service"  # type: ignore[index]


@pytest.mark.parametrize("api_prefix", ["/api/v1/wallet/", "api/v1/wallet", ""])
def test_common_settings_rejects_a_malformed_api_prefix(api_prefix: str) -> None:
    with pytest.raises(ValueError, match="api_prefix must look like 'api/v1/<name>/'"):
        common_settings(
            service="wallet-service",
            base_dir=Path("/srv/wallet"),
            root_urlconf="wallet_service.urls",
            api_prefix=api_prefix,
            installed_apps=["wallet_service"],
            database_name="wallet",
            redis_db=3,
        )


def test_common_settings_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJANGO_SECRET_KEY", "s3cret")
    monkeypatch.setenv("DJANGO_DEBUG", "true")
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db:5432/w")
    monkeypatch.setenv("REDIS_URL", "redis://r:6379/3")
    settings = build()
    assert settings["SECRET_KEY"] == "s3cret"
    assert settings["DEBUG"] is True
    assert settings["DATABASES"]["default"]["HOST"] == "db"  # type: ignore[index]
    assert settings["CELERY_BROKER_URL"] == "redis://r:6379/3"


def test_common_settings_production_requires_the_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DBAY_ENV", "production")
    with pytest.raises(MissingSetting, match="DJANGO_SECRET_KEY"):
        build()
    monkeypatch.setenv("DJANGO_SECRET_KEY", "s3cret")
    with pytest.raises(MissingSetting, match="DJANGO_ALLOWED_HOSTS"):
        build()
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "api.dbay.example")
    with pytest.raises(MissingSetting, match="DATABASE_URL"):
        build()
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db:5432/w")
    with pytest.raises(MissingSetting, match="REDIS_URL"):
        build()
    monkeypatch.setenv("REDIS_URL", "redis://r:6379/3")
    with pytest.raises(MissingSetting, match="EVENT_BUS_REDIS_URL"):
        build()
    monkeypatch.setenv("EVENT_BUS_REDIS_URL", "redis://r:6379/0")
    with pytest.raises(MissingSetting, match="JWT_ISSUER"):
        build()
    monkeypatch.setenv("JWT_ISSUER", "iss")
    with pytest.raises(MissingSetting, match="JWT_AUDIENCE"):
        build()
    monkeypatch.setenv("JWT_AUDIENCE", "aud1,aud2")
    with pytest.raises(MissingSetting, match="JWT_JWKS_URL"):
        build()
    monkeypatch.setenv("JWT_JWKS_URL", "https://user/jwks.json")
    with pytest.raises(MissingSetting, match="USER_SERVICE_URL"):
        build()
    monkeypatch.setenv("USER_SERVICE_URL", "http://user-service:8004")
    settings = build()
    assert settings["SECRET_KEY"] == "s3cret"
    assert settings["ALLOWED_HOSTS"] == ["api.dbay.example"]
    assert settings["JWT_AUDIENCE"] == ["aud1", "aud2"]
    assert settings["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
