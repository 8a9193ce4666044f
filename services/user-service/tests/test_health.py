import pytest

STORES = ["postgres", "redis"]

# The setting each check reads, and a URL for that store on a port that refuses connections.
DOWN_URLS = {
    "redis": ("REDIS_URL", "redis://127.0.0.1:{port}/4"),
}


def point_at_closed_port(settings, store: str, port: int) -> None:
    if store == "postgres":
        settings.DATABASES = {
            **settings.DATABASES,
            "default": {**settings.DATABASES["default"], "PORT": str(port)},
        }
    else:
        setting, url = DOWN_URLS[store]
        setattr(settings, setting, url.format(port=port))


@pytest.mark.django_db
def test_health_is_200_when_every_store_answers(client):
    response = client.get("/health")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["service"] == "user-service"
    assert {name: check["status"] for name, check in body["checks"].items()} == {
        "postgres": "ok",
        "redis": "ok",
    }
    assert all(check["latency_ms"] >= 0 for check in body["checks"].values())


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
@pytest.mark.parametrize("store", STORES)
def test_health_is_503_and_names_the_store_that_is_down(store, client, settings, closed_port):
    point_at_closed_port(settings, store, closed_port)

    response = client.get("/health")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["service"] == "user-service"
    assert set(body["checks"][store]) == {"status", "error"}
    assert body["checks"][store]["status"] == "error"
    assert body["checks"][store]["error"]
    assert {name: check["status"] for name, check in body["checks"].items() if name != store} == {
        name: "ok" for name in STORES if name != store
    }


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_health_live_is_200_without_touching_the_stores(client, settings, closed_port):
    for store in STORES:
        point_at_closed_port(settings, store, closed_port)

    response = client.get("/health/live")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
