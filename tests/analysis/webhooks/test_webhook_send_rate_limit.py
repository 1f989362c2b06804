"""Test events and redeliveries are limited per user (FER_WEBHOOK_SEND_RATE), one budget for the API and
the profile page: past it, 429 with Retry-After and nothing is queued; another user is not affected."""

import pytest

from analysis.models import WebhookEndpoint, WebhookMessage
from tests.analysis.clips import api_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _small_rate(settings):
    settings.FER_WEBHOOK_SEND_RATE = "3/hour"


def endpoint_of(user):
    return WebhookEndpoint.objects.create(user=user, url="https://hooks.example.com/in", events=["media.done"])


def test_past_the_rate_a_test_event_is_429_and_not_queued(alice, sent_tasks):
    endpoint = endpoint_of(alice)
    client = api_client(alice)

    codes = [client.post(f"/api/webhooks/{endpoint.pk}/test/").status_code for _ in range(4)]

    assert codes == [202, 202, 202, 429]
    assert int(client.post(f"/api/webhooks/{endpoint.pk}/test/")["Retry-After"]) > 0
    assert WebhookMessage.objects.count() == 3


def test_redeliveries_share_the_budget_with_test_events(alice, sent_tasks):
    from analysis.webhooks import delivery as webhook_delivery

    endpoint = endpoint_of(alice)
    client = api_client(alice)
    client.post(f"/api/webhooks/{endpoint.pk}/test/")
    message = WebhookMessage.objects.get()
    message.mark_processing()
    webhook_delivery._finish(
        message,
        message.deliveries.model(message=message, endpoint=endpoint, attempt=1, status_code=200, duration_ms=1),
        webhook_delivery.webhook_http.Reply(200, 1),
    )
    attempt = message.deliveries.get()
    url = f"/api/webhooks/{endpoint.pk}/deliveries/{attempt.pk}/redeliver/"

    codes = [client.post(url).status_code for _ in range(3)]

    assert codes == [202, 202, 429]


def test_the_profile_pages_test_button_shares_the_budget(alice, client, sent_tasks):
    endpoint = endpoint_of(alice)
    for _ in range(3):
        api_client(alice).post(f"/api/webhooks/{endpoint.pk}/test/")
    client.force_login(alice)

    response = client.post(f"/accounts/webhooks/{endpoint.pk}/test/")

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many test events" in response.content.decode()
    assert WebhookMessage.objects.count() == 3


def test_another_user_has_a_budget_of_their_own(alice, bob, sent_tasks):
    endpoint = endpoint_of(alice)
    for _ in range(3):
        api_client(alice).post(f"/api/webhooks/{endpoint.pk}/test/")

    assert api_client(bob).post(f"/api/webhooks/{endpoint_of(bob).pk}/test/").status_code == 202
