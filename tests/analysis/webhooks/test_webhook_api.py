"""/api/webhooks/: create (the secret shown once), list, read, change, rotate, delete, the limit."""

import pytest

from analysis.models import WebhookEndpoint

pytestmark = pytest.mark.usefixtures("private_webhook_addresses")

URL = "https://127.0.0.1/hook"


def create(client, url=URL, events=("media.done", "media.failed")):
    return client.post("/api/webhooks/", {"url": url, "events": list(events)}, format="json")


def test_creating_an_endpoint_answers_201_with_its_secret(alice_api, alice):
    response = create(alice_api)

    assert response.status_code == 201, response.content
    body = response.json()
    assert {"id", "url", "events", "secret", "created_at"} <= set(body)
    assert body["url"] == URL and body["events"] == ["media.done", "media.failed"]
    assert body["secret"].startswith("whsec_")
    assert WebhookEndpoint.objects.get(pk=body["id"]).user == alice


def test_the_secret_is_shown_at_creation_and_rotation_only(alice_api):
    created = create(alice_api).json()

    read = alice_api.get(f"/api/webhooks/{created['id']}/").json()
    listed = alice_api.get("/api/webhooks/").json()["results"]
    rotated = alice_api.post(f"/api/webhooks/{created['id']}/rotate/").json()

    assert "secret" not in read and all("secret" not in item for item in listed)
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != created["secret"]
    assert WebhookEndpoint.objects.get(pk=created["id"]).secret == rotated["secret"]


def test_an_endpoint_can_be_changed_and_deleted(alice_api):
    created = create(alice_api).json()

    changed = alice_api.patch(f"/api/webhooks/{created['id']}/", {"events": ["annotated.done"]}, format="json")
    deleted = alice_api.delete(f"/api/webhooks/{created['id']}/")

    assert changed.status_code == 200 and changed.json()["events"] == ["annotated.done"]
    assert deleted.status_code == 204
    assert not WebhookEndpoint.objects.exists()


def test_it_refuses_unknown_events_and_an_empty_list(alice_api):
    assert create(alice_api, events=["media.exploded"]).status_code == 400
    assert create(alice_api, events=[]).status_code == 400


def test_it_refuses_plain_http_unless_allowed(alice_api, settings):
    refused = create(alice_api, url="http://127.0.0.1/hook")
    settings.FER_WEBHOOK_ALLOW_HTTP = True
    allowed = create(alice_api, url="http://127.0.0.1/hook")

    assert refused.status_code == 400 and "https" in refused.json()["url"][0]
    assert allowed.status_code == 201


def test_a_user_has_at_most_ten_endpoints(alice_api):
    for _ in range(10):
        assert create(alice_api).status_code == 201

    eleventh = create(alice_api)

    assert eleventh.status_code == 400
    assert "10" in eleventh.json()["detail"]


def test_a_disabled_endpoint_is_turned_back_on_with_patch(alice_api):
    created = create(alice_api).json()
    WebhookEndpoint.objects.filter(pk=created["id"]).update(enabled=False, disabled_reason="Failing for 3 days.")

    response = alice_api.patch(f"/api/webhooks/{created['id']}/", {"enabled": True}, format="json")

    assert response.json()["enabled"] is True and response.json()["disabled_reason"] == ""


def test_it_needs_authentication(db, make_api_client):
    assert make_api_client().get("/api/webhooks/").status_code in (401, 403)
