"""One endpoint, or one user, holds at most FER_WEBHOOK_MAX_IN_FLIGHT_PER_ENDPOINT (_PER_USER) attempts
in flight: a message past that waits queued a few seconds more, its attempts untouched and nothing
sent, while another user's message is sent at once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from analysis.jobs import dispatch
from analysis.models import WebhookEndpoint, WebhookMessage
from analysis.webhooks import delivery as webhook_delivery
from analysis.webhooks.http_client import Reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def posts(monkeypatch, settings):
    settings.FER_WEBHOOK_MAX_IN_FLIGHT_PER_ENDPOINT = 2
    settings.FER_WEBHOOK_MAX_IN_FLIGHT_PER_USER = 3
    sent = []

    def post(url, body, headers, *, timeout_s):
        sent.append(url)
        return Reply(200, 5)

    monkeypatch.setattr(webhook_delivery.webhook_http, "post", post)
    return sent


def endpoint_of(user, n=0):
    return WebhookEndpoint.objects.create(user=user, url=f"https://hooks{n}.example.com/in", events=["media.done"])


def message_to(endpoint, *, sending=False):
    now = timezone.now()
    message = WebhookMessage.objects.create(endpoint=endpoint, event="media.done", body="{}", heartbeat_at=now)
    if sending:  # another worker is sending it now
        WebhookMessage.objects.filter(pk=message.pk).update(status="processing", attempts=1)
    return message


def test_a_message_to_an_endpoint_with_two_in_flight_waits_without_using_an_attempt(
    alice, posts, sent_tasks, django_capture_on_commit_callbacks
):
    endpoint = endpoint_of(alice)
    message_to(endpoint, sending=True)
    message_to(endpoint, sending=True)
    waiting = message_to(endpoint)
    sent_tasks.clear()

    with django_capture_on_commit_callbacks(execute=True):
        webhook_delivery.deliver(waiting.pk)

    waiting.refresh_from_db()
    assert (waiting.status, waiting.attempts) == ("queued", 0)
    assert waiting.next_attempt_at > timezone.now()
    assert posts == []
    assert [args for name, args, _ in sent_tasks if name == dispatch.DELIVER_WEBHOOK] == [[str(waiting.pk)]]


def test_a_user_with_as_many_in_flight_as_allowed_waits_on_a_new_endpoint_too(alice, posts, sent_tasks):
    for n in range(3):
        message_to(endpoint_of(alice, n), sending=True)
    waiting = message_to(endpoint_of(alice, 3))

    webhook_delivery.deliver(waiting.pk)

    waiting.refresh_from_db()
    assert (waiting.status, waiting.attempts) == ("queued", 0)
    assert posts == []


def test_another_users_message_is_sent_at_once(alice, bob, posts, sent_tasks):
    for n in range(3):
        message_to(endpoint_of(alice, n), sending=True)
    bobs = message_to(endpoint_of(bob, 9))

    webhook_delivery.deliver(bobs.pk)

    bobs.refresh_from_db()
    assert (bobs.status, bobs.attempts) == ("done", 1)
    assert posts == ["https://hooks9.example.com/in"]


def test_an_attempt_whose_worker_died_does_not_hold_a_place(alice, posts, sent_tasks, settings):
    endpoint = endpoint_of(alice)
    for _ in range(2):
        stale = message_to(endpoint, sending=True)
        old = timezone.now() - timedelta(seconds=settings.FER_JOB_STALE_SECONDS + 1)
        WebhookMessage.objects.filter(pk=stale.pk).update(heartbeat_at=old)
    message = message_to(endpoint)

    webhook_delivery.deliver(message.pk)

    message.refresh_from_db()
    assert message.status == "done"
