"""An endpoint whose name now resolves to a refused (private) address fails its message at the first
attempt with that reason: no retry, and no step towards disabling the endpoint. Offline: the name's
resolution is faked, nothing connects."""

import socket

import pytest

from analysis.jobs import dispatch
from analysis.models import WebhookEndpoint, WebhookMessage
from analysis.webhooks import delivery as webhook_delivery
from tests.analysis.helpers import finished_photo


@pytest.fixture
def rebound_to_loopback(monkeypatch, settings):
    """hooks.example.com resolves to 127.0.0.1 (it was public when the endpoint was made)."""
    settings.FER_WEBHOOK_ALLOW_PRIVATE = False

    def getaddrinfo(host, port, *args, **kwargs):
        assert host == "hooks.example.com", host
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def test_a_message_to_a_refused_address_fails_at_once_without_a_retry(alice, sent_tasks, rebound_to_loopback):
    endpoint = WebhookEndpoint.objects.create(user=alice, url="https://hooks.example.com/in", events=["media.done"])
    finished_photo(alice)
    message = WebhookMessage.objects.get()
    sent_tasks.clear()

    webhook_delivery.deliver(message.pk)

    message.refresh_from_db()
    endpoint.refresh_from_db()
    assert (message.status, message.attempts) == ("failed", 1)
    assert "private or reserved address" in message.error and "127.0.0.1" in message.error
    assert [name for name, *_ in sent_tasks if name == dispatch.DELIVER_WEBHOOK] == []
    assert endpoint.failing_since is None and endpoint.enabled
    assert list(message.deliveries.values_list("status_code", flat=True)) == [None]
