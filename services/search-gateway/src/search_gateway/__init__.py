"""search-gateway: the listing search index (Elasticsearch) and its query cache (Memcached).

`create_app()` builds the WSGI app: health probes at /health and /health/live, the public API
under /api/v1/search, its OpenAPI document at /api/v1/search/openapi.json (Swagger UI at
/api/v1/search/docs/).
"""

from collections.abc import Mapping
from typing import Any

from flask import Flask

from dbay_common.flask import config_check, create_service_app
from dbay_common.health import elasticsearch_check, memcached_check, redis_check
from search_gateway.api import API_PREFIX, blueprint
from search_gateway.config import SERVICE, load_config


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The search-gateway app; ``config`` overrides what was read from the environment (tests)."""
    app, api = create_service_app(
        import_name=__name__,
        service=SERVICE,
        api_prefix=API_PREFIX,
        config={**load_config(), **(config or {})},
        checks={
            "elasticsearch": config_check(elasticsearch_check, "ELASTICSEARCH_URL"),
            "memcached": config_check(memcached_check, "MEMCACHED_ADDRESS"),
            "redis": config_check(redis_check, "REDIS_URL"),
        },
    )
    api.register_blueprint(blueprint)
    return app
