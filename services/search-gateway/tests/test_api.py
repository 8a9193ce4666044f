from importlib.metadata import version


def test_index_names_the_service_and_its_openapi_document(client):
    response = client.get("/api/v1/search")

    assert response.status_code == 200
    assert response.get_json() == {
        "service": "search-gateway",
        "version": version("search-gateway"),
        "openapi_url": "/api/v1/search/openapi.json",
    }


def test_openapi_document_is_served(client):
    response = client.get("/api/v1/search/openapi.json")

    assert response.status_code == 200
    document = response.get_json()
    assert document["info"]["title"] == "dBay search-gateway"
    assert list(document["paths"]) == ["/api/v1/search"]


def test_unknown_path_is_a_json_404_in_the_error_shape(client):
    response = client.get("/api/v1/search/no-such-thing")

    assert response.status_code == 404
    assert response.mimetype == "application/json"
    assert response.get_json() == {
        "error": {
            "type": "not_found",
            "code": "not_found",
            "message": "Unrecognized request URL (GET: /api/v1/search/no-such-thing).",
        }
    }
