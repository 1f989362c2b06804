"""The OpenAPI schema says what issue 24 changed: ?wait=N and its 201, kind=clip, the 410 of a repeat
whose item was deleted, and URLs that are absolute or null."""

import pytest


@pytest.fixture
def schema(client, db) -> dict:
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    return response.json()


def test_the_upload_documents_wait_and_its_201_with_the_item(schema):
    upload = schema["paths"]["/api/media/"]["post"]

    (wait,) = [p for p in upload["parameters"] if p["name"] == "wait"]
    assert wait["in"] == "query" and wait["schema"]["type"] == "number"
    assert wait["schema"]["maximum"] == 30
    created = upload["responses"]["201"]["content"]["application/json"]["schema"]
    assert created["$ref"].endswith("/Media")
    assert {"202", "410", "422"} <= set(upload["responses"])


def test_the_list_documents_kind_clip(schema):
    (kind,) = [p for p in schema["paths"]["/api/media/"]["get"]["parameters"] if p["name"] == "kind"]

    assert set(kind["schema"]["enum"]) == {"photo", "video", "live", "clip"}


def test_the_summarys_file_urls_are_nullable_uris(schema):
    schemas = schema["components"]["schemas"]
    media = schemas["Media"]["properties"]["summary"]
    reference = media.get("$ref") or media["allOf"][0]["$ref"]
    summary = schemas[reference.rsplit("/", 1)[-1]]["properties"]

    for name in ("file", "thumbnail"):
        assert summary[name]["format"] == "uri" and summary[name]["nullable"] is True
