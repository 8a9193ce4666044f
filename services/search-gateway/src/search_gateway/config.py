"""Configuration of search-gateway, read from the environment (every variable is in .env.example).

Development defaults point at scripts/devstack; with DBAY_ENV=production a missing URL stops the
process at start.
"""

from typing import Any

from dbay_common.settings import dev_url, env_int, env_str

SERVICE = "search-gateway"
LISTING_SERVICE_DEV_URL = "http://127.0.0.1:8001"


def listing_service_url() -> str:
    """listing-service inside the platform, whose public feed the rebuild reads (only the rebuild
    command needs it, so the web and worker processes start without it)."""
    return env_str("LISTING_SERVICE_URL", dev_default=LISTING_SERVICE_DEV_URL)


def load_config() -> dict[str, Any]:
    """This service's own `app.config` entries (the shared ones come from create_service_app)."""
    return {
        "ELASTICSEARCH_URL": env_str("ELASTICSEARCH_URL", dev_default=dev_url("elasticsearch")),
        # Index names start with this prefix, so one cluster can hold several environments.
        "ELASTICSEARCH_INDEX_PREFIX": env_str("ELASTICSEARCH_INDEX_PREFIX", default="listings"),
        # The query cache: host:port of the memcached server.
        "MEMCACHED_ADDRESS": env_str("MEMCACHED_ADDRESS", dev_default=dev_url("memcached")),
        # How long an anonymous search's answer is reused (seconds; 0 turns the cache off).
        "SEARCH_CACHE_TTL_S": env_int("SEARCH_CACHE_TTL_S", default=5),
        # This service's Redis db 7.
        "REDIS_URL": env_str("REDIS_URL", dev_default=dev_url("redis", name="7")),
    }
