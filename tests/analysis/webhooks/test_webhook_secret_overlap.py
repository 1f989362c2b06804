"""After a secret's rotation the old secret signs beside the new one for FER_WEBHOOK_SECRET_OVERLAP_S, so a
receiver checking either one accepts every message while it changes over; then only the new one signs."""

from datetime import timedelta

import pytest
from django.utils import timezone

from analysis.models import WebhookEndpoint, WebhookMessage
from analysis.webhooks.delivery import signed_headers
from tests.analysis.webhooks.test_webhook_readme_receiver import readme_verify

pytestmark = pytest.mark.usefixtures("private_webhook_addresses")


@pytest.fixture
def endpoint(alice):
    return WebhookEndpoint.objects.create(user=alice, url="https://127.0.0.1/hook", events=["media.done"])


def headers_of(endpoint) -> tuple[dict, bytes]:
    body = b'{"type": "media.done"}'
    message = WebhookMessage.objects.create(endpoint=endpoint, event="media.done", body=body.decode())
    return signed_headers(message, body), body


def test_for_a_day_after_rotation_both_the_new_and_the_old_secret_verify_a_message(alice_api, endpoint):
    verify = readme_verify()
    old = endpoint.secret

    new = alice_api.post(f"/api/webhooks/{endpoint.pk}/rotate/").json()["secret"]
    endpoint.refresh_from_db()
    headers, body = headers_of(endpoint)

    assert len(headers["webhook-signature"].split()) == 2
    assert verify(new, headers, body) and verify(old, headers, body)
    assert endpoint.previous_secret_until - timezone.now() > timedelta(hours=23)


def test_once_the_overlap_is_over_only_the_new_secret_signs(alice_api, endpoint):
    verify = readme_verify()
    old = endpoint.secret
    new = alice_api.post(f"/api/webhooks/{endpoint.pk}/rotate/").json()["secret"]
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(previous_secret_until=timezone.now() - timedelta(seconds=1))
    endpoint.refresh_from_db()

    headers, body = headers_of(endpoint)

    assert verify(new, headers, body) and not verify(old, headers, body)


def test_a_second_rotation_drops_the_oldest_secret_and_no_overlap_means_none(alice_api, endpoint, settings):
    verify = readme_verify()
    first = endpoint.secret
    second = alice_api.post(f"/api/webhooks/{endpoint.pk}/rotate/").json()["secret"]
    third = alice_api.post(f"/api/webhooks/{endpoint.pk}/rotate/").json()["secret"]
    endpoint.refresh_from_db()
    headers, body = headers_of(endpoint)

    assert verify(third, headers, body) and verify(second, headers, body) and not verify(first, headers, body)

    settings.FER_WEBHOOK_SECRET_OVERLAP_S = 0
    fourth = alice_api.post(f"/api/webhooks/{endpoint.pk}/rotate/").json()["secret"]
    endpoint.refresh_from_db()
    headers, body = headers_of(endpoint)

    assert headers["webhook-signature"].count("v1,") == 1 and verify(fourth, headers, body)
    assert not verify(third, headers, body)
