"""The OpenAPI schema and the interactive docs are served, with no asset from a CDN."""

import re

import pytest


@pytest.mark.django_db
def test_the_schema_describes_the_media_endpoints(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {"/api/media/", "/api/media/{id}/", "/api/auth/token/"} <= set(paths)
    assert "202" in paths["/api/media/"]["post"]["responses"]


@pytest.mark.django_db
def test_the_docs_load_their_assets_from_this_site(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', response.content.decode())
    assert assets, "no assets found"
    assert all(url.startswith("/static/") for url in assets), assets


@pytest.mark.django_db
def test_the_schema_is_valid_openapi_without_warnings(tmp_path):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))

    assert "/api/media/{id}/" in (tmp_path / "schema.yml").read_text()
