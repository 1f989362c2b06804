"""Every error under /api/ is JSON with a message, whatever its cause; pages keep their HTML error pages."""

import pytest

from analysis.media import services
from tests.analysis.clips import api_client
from tests.photos import astronaut, encode, upload

pytestmark = pytest.mark.django_db


def test_an_unexpected_error_in_an_api_view_is_a_json_500_and_is_logged(alice, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "create_media", broken)
    client = api_client(alice)
    client.raise_request_exception = False

    response = client.post("/api/media/", {"file": upload(encode(astronaut()))}, format="multipart")

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert "went wrong on our side" in response.json()["detail"]
    assert any(record.exc_info and "boom" in str(record.exc_info[1]) for record in caplog.records)


def test_an_error_raised_by_a_throttle_before_the_view_is_json(alice, monkeypatch):
    from analysis.media.throttles import UploadThrottle

    def broken(*args, **kwargs):
        raise ConnectionError("the cache is gone")

    monkeypatch.setattr(UploadThrottle, "allow_request", broken)
    client = api_client(alice)
    client.raise_request_exception = False

    response = client.post("/api/media/", {"file": upload(encode(astronaut()))}, format="multipart")

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"


def test_an_unknown_api_url_is_a_json_404(client):
    response = client.get("/api/no-such-thing/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found."}


def test_a_refused_csrf_token_on_the_api_is_a_json_403(alice):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)

    response = client.post("/api/media/", {})

    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"]


def test_a_page_keeps_its_html_404(client, alice, settings):
    settings.DEBUG = False
    client.force_login(alice)

    response = client.get("/no/such/page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
