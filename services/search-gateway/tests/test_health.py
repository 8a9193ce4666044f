import pytest
from search_gateway import create_app

STORES = ["elasticsearch", "memcached", "redis"]

# The setting each check reads, and a URL for that store on a port that refuses connections.
DOWN_URLS = {
    "elasticsearch": ("ELASTICSEARCH_URL", "http://127.0.0.1:{port}"),
    "memcached": ("MEMCACHED_ADDRESS", "127.0.0.1:{port}"),
    "redis": ("REDIS_URL", "redis://127.0.0.1:{port}/7"),
}


def test_health_is_200_when_every_store_answers(client):
    response = client.get("/health")

    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["service"] == "search-gateway"
    assert {name: check["status"] for name, check in body["checks"].items()} == {
        "elasticsearch": "ok",
        "memcached": "ok",
        "redis": "ok",
    }
    assert all(check["latency_ms"] >= 0 for check in body["checks"].values())


@pytest.mark.parametrize("store", STORES)
def test_health_is_503_and_names_the_store_that_is_down(store, closed_port):
    setting, url = DOWN_URLS[store]
    client = create_app({setting: url.format(port=closed_port)}).test_client()

    response = client.get("/health")

    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable"
    assert body["service"] == "search-gateway"
    assert set(body["checks"][store]) == {"status", "error"}
    assert body["checks"][store]["status"] == "error"
    assert body["checks"][store]["error"]
    assert {name: check["status"] for name, check in body["checks"].items() if name != store} == {
        name: "ok" for name in STORES if name != store
    }


def test_health_live_is_200_without_touching_the_stores(closed_port):
    broken = {setting: url.format(port=closed_port) for setting, url in DOWN_URLS.values()}
    client = create_app(broken).test_client()

    response = client.get("/health/live")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
