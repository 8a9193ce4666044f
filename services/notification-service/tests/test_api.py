from importlib.metadata import version


def test_index_names_the_service_and_its_openapi_document(client):
    response = client.get("/api/v1/notifications/")

    assert response.status_code == 200
    assert response.get_json() == {
        "service": "notification-service",
        "version": version("notification-service"),
        "openapi_url": "/api/v1/notifications/openapi.json",
    }


def test_openapi_document_is_served(client):
    response = client.get("/api/v1/notifications/openapi.json")

    assert response.status_code == 200
    document = response.get_json()
    assert document["info"]["title"] == "dBay notification-service"
    assert list(document["paths"]) == ["/api/v1/notifications/"]


def test_unknown_path_is_a_json_404_in_the_error_shape(client):
    response = client.get("/api/v1/notifications/no-such-thing")

    assert response.status_code == 404
    assert response.mimetype == "application/json"
    assert response.get_json() == {
        "error": {
            "type": "not_found",
            "code": "not_found",
            "message": "Unrecognized request URL (GET: /api/v1/notifications/no-such-thing).",
        }
    }
