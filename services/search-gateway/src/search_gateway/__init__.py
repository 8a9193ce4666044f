"""search-gateway: the listing search index (Elasticsearch) and its query cache (Memcached).

`create_app()` builds the WSGI app: health probes at /health and /health/live, the public API
under /api/v1/search, its OpenAPI document at /api/v1/search/openapi.json.
"""

from collections.abc import Mapping
from typing import Any

from dbay_common.flask import create_service_app, health_blueprint
from dbay_common.health import elasticsearch_check, memcached_check, redis_check
from flask import Flask

from search_gateway.api import API_PREFIX, blueprint
from search_gateway.config import SERVICE, load_config


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The search-gateway app; ``config`` overrides what was read from the environment (tests)."""
    app, api = create_service_app(
        import_name=__name__, service=SERVICE, title=f"dBay {SERVICE}", api_prefix=API_PREFIX
    )
    app.config.update(load_config())
    app.config.update(config or {})
    app.register_blueprint(
        health_blueprint(
            service=SERVICE,
            checks={
                "elasticsearch": elasticsearch_check(app.config["ELASTICSEARCH_URL"]),
                "memcached": memcached_check(app.config["MEMCACHED_ADDRESS"]),
                "redis": redis_check(app.config["REDIS_URL"]),
            },
        )
    )
    api.register_blueprint(blueprint)
    return app
