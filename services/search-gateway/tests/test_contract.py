from dbay_common.testing.contracts import FlaskServiceContract, FlaskWorkerContract, SettingOnPort
from search_gateway import worker
from search_gateway.events import LISTING_EVENTS


class TestSearchGatewayContract(FlaskServiceContract, FlaskWorkerContract):
    service = "search-gateway"
    worker = worker
    public_path = "/api/v1/search"
    handled_event_types = frozenset(LISTING_EVENTS)
    stores = {
        "elasticsearch": SettingOnPort("ELASTICSEARCH_URL", "http://127.0.0.1:{port}"),
        "memcached": SettingOnPort("MEMCACHED_ADDRESS", "127.0.0.1:{port}"),
        "redis": SettingOnPort("REDIS_URL", "redis://127.0.0.1:{port}/7"),
    }
