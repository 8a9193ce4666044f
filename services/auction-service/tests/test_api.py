from importlib.metadata import version


def test_index_names_the_service_and_its_documentation(client):
    response = client.get("/api/v1/auctions/")

    assert response.status_code == 200
    assert response.json() == {
        "service": "auction-service",
        "version": version("auction-service"),
        "openapi_url": "/api/v1/auctions/openapi.json",
        "docs_url": "/api/v1/auctions/docs/",
    }


def test_openapi_document_is_served(client):
    response = client.get("/api/v1/auctions/openapi.json")

    assert response.status_code == 200
    document = response.json()
    assert document["info"] == {"title": "dBay auction-service", "version": "1.0.0"}
    assert list(document["paths"]) == ["/api/v1/auctions/"]


def test_swagger_ui_points_at_the_openapi_document(client):
    response = client.get("/api/v1/auctions/docs/")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert b'"/api/v1/auctions/openapi.json"' in response.content


def test_unknown_path_is_a_json_404_in_the_error_shape(client):
    response = client.get("/api/v1/auctions/no-such-thing")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "error": {
            "type": "not_found",
            "code": "not_found",
            "message": "Unrecognized request URL (GET: /api/v1/auctions/no-such-thing).",
        }
    }
