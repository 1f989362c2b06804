"""The privacy sweep deletes webhook messages (copies of an item's results) 30 days after they end."""

from datetime import timedelta

from django.utils import timezone

from analysis.models import WebhookEndpoint, WebhookMessage
from analysis.privacy.sweep import sweep_privacy
from analysis.webhooks.models import WebhookDelivery


def _message(endpoint, status, ended_days_ago=None):
    finished = timezone.now() - timedelta(days=ended_days_ago) if ended_days_ago is not None else None
    message = WebhookMessage.objects.create(
        endpoint=endpoint, event="media.done", body='{"type": "media.done"}', status=status, finished_at=finished
    )
    WebhookDelivery.objects.create(message=message, endpoint=endpoint, attempt=1, status_code=200)
    return message


def test_a_message_that_ended_over_30_days_ago_goes_with_its_attempts_and_the_others_stay(alice):
    endpoint = WebhookEndpoint.objects.create(user=alice, url="https://127.0.0.1/hook", events=["media.done"])
    old_sent = _message(endpoint, "done", ended_days_ago=31)
    old_failed = _message(endpoint, "failed", ended_days_ago=45)
    recent = _message(endpoint, "done", ended_days_ago=29)
    waiting = _message(endpoint, "queued")

    assert sweep_privacy()["webhook_messages"] == 2

    assert set(WebhookMessage.objects.values_list("pk", flat=True)) == {recent.pk, waiting.pk}
    assert not WebhookDelivery.objects.filter(message__in=[old_sent.pk, old_failed.pk]).exists()
    assert WebhookDelivery.objects.count() == 2
    assert sweep_privacy()["webhook_messages"] == 0
