"""A failed attempt is retried with the same webhook-id after an exponential, jittered wait (or the
endpoint's Retry-After), up to FER_WEBHOOK_MAX_ATTEMPTS; an endpoint failing for 3 days is disabled."""

from datetime import timedelta

import pytest
from django.utils import timezone

from analysis.jobs import dispatch
from analysis.jobs.sweeper import sweep_stale_jobs
from analysis.models import WebhookEndpoint, WebhookMessage
from analysis.webhooks import delivery as webhook_delivery
from analysis.webhooks import services as webhooks
from tests.analysis.helpers import finished_photo
from tests.analysis.webhook_receiver import Answer, Receiver, verify


@pytest.fixture(autouse=True)
def _receiver_allowed(settings):
    settings.FER_WEBHOOK_ALLOW_PRIVATE = True
    settings.FER_WEBHOOK_ALLOW_HTTP = True


def make_message(user, url: str) -> WebhookMessage:
    WebhookEndpoint.objects.create(user=user, url=url, events=["media.done"])
    finished_photo(user)
    return WebhookMessage.objects.get()


def attempt_when_due(message: WebhookMessage) -> None:
    """What the worker does when the retry's countdown ends (the test skips the wait)."""
    WebhookMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    webhook_delivery.deliver(message.pk)
    message.refresh_from_db()


def test_500_twice_then_200_makes_three_attempts_with_the_same_webhook_id(
    alice, sent_tasks, django_capture_on_commit_callbacks
):
    with Receiver([Answer(500), Answer(500), Answer(200)]) as receiver:
        message = make_message(alice, receiver.url)
        with django_capture_on_commit_callbacks(execute=True):
            for _ in range(3):
                attempt_when_due(message)
        received = receiver.wait_for(3)

    assert message.status == "done" and message.attempts == 3
    assert {r.headers["webhook-id"] for r in received} == {message.webhook_id}
    assert all(verify(message.endpoint.secret, r) for r in received)
    assert [r.body for r in received] == [message.body.encode()] * 3
    attempts = list(message.deliveries.order_by("attempt").values_list("attempt", "status_code"))
    assert attempts == [(1, 500), (2, 500), (3, 200)]
    retries = [name for name, *_ in sent_tasks if name == dispatch.DELIVER_WEBHOOK]
    assert len(retries) == 2  # one countdown per failed attempt
    assert message.endpoint.failing_since is None


def test_a_retry_waits_longer_each_time_with_jitter(settings):
    settings.FER_WEBHOOK_RETRY_BASE_S = 5
    waits = [webhook_delivery.backoff_s(attempt) for attempt in range(1, 8)]

    assert all(later > earlier for earlier, later in zip(waits, waits[1:]))
    assert 3.75 <= waits[0] <= 6.25
    # Eight attempts span about a day.
    assert 14 * 3600 < sum(webhook_delivery.backoff_s(n) for n in range(1, 8)) < 36 * 3600
    assert len({webhook_delivery.backoff_s(3) for _ in range(20)}) > 1


def test_a_retry_is_not_attempted_before_it_is_due(alice, sent_tasks):
    with Receiver([Answer(500)]) as receiver:
        message = make_message(alice, receiver.url)
        attempt_when_due(message)
        webhook_delivery.deliver(message.pk)  # an early copy of the task
        received = receiver.wait_for(1)

    assert len(received) == 1
    assert message.status == "queued" and message.next_attempt_at > timezone.now()


def test_it_honours_retry_after(alice, sent_tasks):
    with Receiver([Answer(503, headers={"Retry-After": "120"})]) as receiver:
        message = make_message(alice, receiver.url)
        attempt_when_due(message)

    (delivery,) = message.deliveries.all()
    assert delivery.next_retry_at - delivery.created_at >= timedelta(seconds=119)
    assert message.next_attempt_at >= timezone.now() + timedelta(seconds=115)


def test_a_long_wait_is_left_to_the_sweeper_which_sends_it_when_due(
    alice, sent_tasks, settings, django_capture_on_commit_callbacks
):
    with Receiver([Answer(503, headers={"Retry-After": "3600"})]) as receiver:
        message = make_message(alice, receiver.url)
        with django_capture_on_commit_callbacks(execute=True):
            attempt_when_due(message)
    assert sent_tasks == []  # an hour is not left to a broker's countdown
    assert sweep_stale_jobs()["requeued"] == 0

    WebhookMessage.objects.filter(pk=message.pk).update(
        next_attempt_at=timezone.now(),
        heartbeat_at=timezone.now() - timedelta(seconds=settings.FER_JOB_QUEUED_SECONDS + 1),
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_stale_jobs()["requeued"] == 1
    assert [args for name, args, _ in sent_tasks] == [[str(message.pk)]]
    message.refresh_from_db()
    assert message.attempts == 1  # re-sending is not an attempt


def test_it_gives_up_after_fer_webhook_max_attempts(alice, sent_tasks, settings):
    settings.FER_WEBHOOK_MAX_ATTEMPTS = 3
    with Receiver([Answer(500)]) as receiver:
        message = make_message(alice, receiver.url)
        for _ in range(4):
            attempt_when_due(message)
        receiver.wait_for(3)

    assert len(receiver.received) == 3
    assert message.status == "failed" and "3 attempts failed" in message.error
    assert message.deliveries.count() == 3


def test_an_endpoint_failing_for_three_days_is_disabled_and_says_why(alice, sent_tasks):
    with Receiver([Answer(500)]) as receiver:
        message = make_message(alice, receiver.url)
        WebhookEndpoint.objects.update(failing_since=timezone.now() - timedelta(days=3, minutes=1))
        attempt_when_due(message)

    endpoint = WebhookEndpoint.objects.get()
    assert not endpoint.enabled
    assert "3 days" in endpoint.disabled_reason and "HTTP 500" in endpoint.disabled_reason
    assert message.status == "failed"
    finished_photo(alice)
    assert WebhookMessage.objects.count() == 1  # a disabled endpoint is sent nothing new


def test_a_redelivery_resends_the_same_message(alice, sent_tasks):
    with Receiver([Answer(200)]) as receiver:
        message = make_message(alice, receiver.url)
        attempt_when_due(message)
        webhooks.redeliver(message.deliveries.get())
        attempt_when_due(message)
        received = receiver.wait_for(2)

    assert [r.headers["webhook-id"] for r in received] == [message.webhook_id] * 2
    assert message.deliveries.count() == 2 and message.status == "done"


def test_a_worker_that_died_mid_attempt_is_swept_and_sent_again(
    alice, sent_tasks, settings, django_capture_on_commit_callbacks
):
    with Receiver([Answer(200)]) as receiver:
        message = make_message(alice, receiver.url)
        WebhookMessage.objects.filter(pk=message.pk).update(
            status="processing", attempts=1, heartbeat_at=timezone.now() - timedelta(hours=1)
        )
        with django_capture_on_commit_callbacks(execute=True):
            assert sweep_stale_jobs()["requeued"] == 1
        assert [args for name, args, _ in sent_tasks] == [[str(message.pk)]]
        webhook_delivery.deliver(message.pk)
        receiver.wait_for(1)

    message.refresh_from_db()
    assert message.status == "done" and message.attempts == 2
