from importlib.metadata import version


def test_index_names_the_service_and_its_openapi_document(client):
    response = client.get("/api/v1/messaging/")

    assert response.status_code == 200
    assert response.get_json() == {
        "service": "messaging-service",
        "version": version("messaging-service"),
        "openapi_url": "/api/v1/messaging/openapi.json",
    }


def test_openapi_document_is_served(client):
    response = client.get("/api/v1/messaging/openapi.json")

    assert response.status_code == 200
    document = response.get_json()
    assert document["info"]["title"] == "dBay messaging-service"
    assert list(document["paths"]) == ["/api/v1/messaging/"]


def test_unknown_path_is_a_json_404_in_the_error_shape(client):
    response = client.get("/api/v1/messaging/no-such-thing")

    assert response.status_code == 404
    assert response.mimetype == "application/json"
    assert response.get_json() == {
        "error": {
            "type": "not_found",
            "code": "not_found",
            "message": "Unrecognized request URL (GET: /api/v1/messaging/no-such-thing).",
        }
    }
