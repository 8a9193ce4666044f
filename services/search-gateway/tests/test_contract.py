from dbay_common.testing.contracts import FlaskServiceContract, FlaskWorkerContract, SettingOnPort
from search_gateway import worker


class TestSearchGatewayContract(FlaskServiceContract, FlaskWorkerContract):
    service = "search-gateway"
    worker = worker
    public_path = "/api/v1/search"
    stores = {
        "elasticsearch": SettingOnPort("ELASTICSEARCH_URL", "http://127.0.0.1:{port}"),
        "memcached": SettingOnPort("MEMCACHED_ADDRESS", "127.0.0.1:{port}"),
        "redis": SettingOnPort("REDIS_URL", "redis://127.0.0.1:{port}/7"),
    }
