"""Another user's endpoint, and its attempts, are 404 everywhere; their events never reach you."""

import pytest

from analysis.media.services import cancel_media, create_media
from analysis.models import WebhookDelivery, WebhookEndpoint, WebhookMessage
from tests.photos import astronaut, encode, upload

pytestmark = pytest.mark.usefixtures("private_webhook_addresses")


@pytest.fixture
def alices_endpoint(alice):
    endpoint = WebhookEndpoint.objects.create(user=alice, url="https://127.0.0.1/hook", events=["media.cancelled"])
    message = WebhookMessage.objects.create(endpoint=endpoint, event="media.cancelled", body="{}", status="done")
    WebhookDelivery.objects.create(message=message, endpoint=endpoint, attempt=1, status_code=200, duration_ms=5)
    return endpoint


def test_another_users_endpoint_is_404_everywhere(alices_endpoint, bob_api, sent_tasks):
    base = f"/api/webhooks/{alices_endpoint.pk}/"
    delivery = alices_endpoint.deliveries.get()

    answers = [
        bob_api.get(base),
        bob_api.patch(base, {"events": ["media.done"]}, format="json"),
        bob_api.post(f"{base}rotate/"),
        bob_api.post(f"{base}test/"),
        bob_api.get(f"{base}deliveries/"),
        bob_api.post(f"{base}deliveries/{delivery.pk}/redeliver/"),
        bob_api.delete(base),
    ]

    assert [answer.status_code for answer in answers] == [404] * len(answers)
    assert bob_api.get("/api/webhooks/").json()["results"] == []
    alices_endpoint.refresh_from_db()
    assert alices_endpoint.events == ["media.cancelled"]
    assert sent_tasks == []


def test_an_attempt_is_redelivered_only_through_its_own_endpoint(alice, alice_api, alices_endpoint, sent_tasks):
    other = WebhookEndpoint.objects.create(user=alice, url="https://127.0.0.1/other", events=["media.done"])
    delivery = alices_endpoint.deliveries.get()

    assert alice_api.post(f"/api/webhooks/{other.pk}/deliveries/{delivery.pk}/redeliver/").status_code == 404


def test_another_users_items_send_nothing_to_your_endpoints(alice, bob, alices_endpoint):
    bobs = create_media(bob, upload(encode(astronaut())))

    cancel_media(bobs)

    assert WebhookMessage.objects.filter(event="media.cancelled").count() == 1  # the fixture's own
