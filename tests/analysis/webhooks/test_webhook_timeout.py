"""An endpoint that does not answer within FER_WEBHOOK_TIMEOUT_S is a failed attempt, retried later."""

import time

from analysis.models import WebhookEndpoint, WebhookMessage
from analysis.webhooks import delivery as webhook_delivery
from tests.analysis.helpers import finished_photo
from tests.analysis.webhook_receiver import Answer, Receiver


def test_a_slow_receiver_times_out_and_is_retried(alice, settings, sent_tasks):
    settings.FER_WEBHOOK_ALLOW_HTTP = settings.FER_WEBHOOK_ALLOW_PRIVATE = True
    settings.FER_WEBHOOK_TIMEOUT_S = 1
    with Receiver([Answer(200, delay_s=4)]) as receiver:
        WebhookEndpoint.objects.create(user=alice, url=receiver.url, events=["media.done"])
        finished_photo(alice)
        message = WebhookMessage.objects.get()
        started = time.monotonic()

        webhook_delivery.deliver(message.pk)
        took = time.monotonic() - started

    assert took < 3
    delivery = message.deliveries.get()
    assert delivery.status_code is None and delivery.error == "No answer within 1 s."
    assert 900 <= delivery.duration_ms < 3000
    message.refresh_from_db()
    assert message.status == "queued" and delivery.next_retry_at is not None
