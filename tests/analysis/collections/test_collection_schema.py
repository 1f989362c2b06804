"""The OpenAPI schema describes the collection endpoints and the item's new fields."""

import pytest


@pytest.mark.django_db
def test_the_schema_describes_the_collection_endpoints(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    paths = schema["paths"]
    assert {
        "/api/collections/",
        "/api/collections/{id}/",
        "/api/collections/{id}/items/",
        "/api/collections/{id}/archive/",
        "/api/collections/{id}/labels/",
        "/api/collections/{id}/summary/",
        "/api/collections/{id}/export.csv/",
        "/api/collections/{id}/export.json/",
    } <= set(paths)
    assert {"202", "400", "429"} <= set(paths["/api/collections/{id}/archive/"]["post"]["responses"])
    assert "patch" in paths["/api/media/{id}/"]
    media = schema["components"]["schemas"]["Media"]["properties"]
    assert {"expected_emotion", "collection"} <= set(media)
    evaluation = schema["components"]["schemas"]["Evaluation"]["properties"]
    assert {"n_labelled", "n_scored", "no_face", "accuracy", "macro_f1", "per_class", "confusion"} <= set(evaluation)
