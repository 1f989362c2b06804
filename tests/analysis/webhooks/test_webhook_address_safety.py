"""Webhooks go to https:// and public addresses only, checked when an endpoint is made and again on the
address each attempt actually connects to (DNS rebinding cannot get around it); no redirect is followed."""

import socket

import pytest

from analysis.models import WebhookEndpoint, WebhookMessage
from analysis.webhooks import delivery as webhook_delivery
from analysis.webhooks import http_client as webhook_http
from tests.analysis.helpers import finished_photo
from tests.analysis.webhook_receiver import Answer, Receiver

PRIVATE = [
    "https://127.0.0.1/hook",
    "https://10.1.2.3/hook",
    "https://192.168.0.10/hook",
    "https://172.16.5.4/hook",
    "https://169.254.169.254/latest/meta-data/",
    "https://100.64.0.1/hook",
    "https://0.0.0.0/hook",
    "https://[::1]/hook",
    "https://[::ffff:127.0.0.1]/hook",
    "https://[fe80::1]/hook",
    "https://[fd00:ec2::254]/hook",
    "https://localhost/hook",
]


def fake_dns(monkeypatch, answers: dict[str, str]):
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in answers:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers[host], port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(webhook_http.socket, "getaddrinfo", getaddrinfo)


@pytest.mark.parametrize("url", PRIVATE)
def test_a_private_address_is_refused_at_creation(alice_api, url):
    response = alice_api.post("/api/webhooks/", {"url": url, "events": ["media.done"]}, format="json")

    assert response.status_code == 400, response.content
    assert "private" in response.json()["url"][0]
    assert not WebhookEndpoint.objects.exists()


def test_a_name_that_resolves_to_a_private_address_is_refused_at_creation(alice_api, monkeypatch):
    fake_dns(monkeypatch, {"hooks.example.com": "10.0.0.7"})

    response = alice_api.post("/api/webhooks/", {"url": "https://hooks.example.com/", "events": ["media.done"]})

    assert response.status_code == 400
    assert "10.0.0.7" in response.json()["url"][0]


def test_a_private_address_is_refused_at_delivery(alice, settings, sent_tasks):
    settings.FER_WEBHOOK_ALLOW_HTTP = True
    with Receiver() as receiver:
        # Made while private addresses were allowed (a closed network), then the rule changed.
        settings.FER_WEBHOOK_ALLOW_PRIVATE = True
        WebhookEndpoint.objects.create(user=alice, url=receiver.url, events=["media.done"])
        finished_photo(alice)
        settings.FER_WEBHOOK_ALLOW_PRIVATE = False

        webhook_delivery.deliver(WebhookMessage.objects.get().pk)

    assert receiver.received == []
    (delivery,) = WebhookMessage.objects.get().deliveries.all()
    assert delivery.status_code is None and "private" in delivery.error


def test_a_name_rebound_to_a_private_address_after_creation_is_refused(alice, alice_api, settings, monkeypatch):
    settings.FER_WEBHOOK_ALLOW_HTTP = True
    with Receiver() as receiver:
        port = receiver.server.server_address[1]
        fake_dns(monkeypatch, {"rebind.example.com": "93.184.216.34"})
        url = f"http://rebind.example.com:{port}/hook"
        assert alice_api.post("/api/webhooks/", {"url": url, "events": ["media.done"]}).status_code == 201
        fake_dns(monkeypatch, {"rebind.example.com": "127.0.0.1"})
        finished_photo(alice)

        webhook_delivery.deliver(WebhookMessage.objects.get().pk)

    assert receiver.received == []
    assert "127.0.0.1" in WebhookMessage.objects.get().deliveries.get().error


def test_the_connected_address_is_checked_whatever_was_resolved(monkeypatch, settings):
    settings.FER_WEBHOOK_ALLOW_HTTP = True
    with Receiver() as receiver:
        checked = []

        def allowed(address):
            checked.append(address)
            return len(checked) == 1  # the resolved address passes, the connected peer does not

        monkeypatch.setattr(webhook_http, "address_allowed", allowed)
        reply = webhook_http.post(receiver.url, b"{}", {}, timeout_s=5)

    assert reply.status is None and "connected to 127.0.0.1" in reply.error
    assert receiver.received == []


def test_a_redirect_is_not_followed(alice, settings, sent_tasks):
    settings.FER_WEBHOOK_ALLOW_HTTP = settings.FER_WEBHOOK_ALLOW_PRIVATE = True
    with Receiver([Answer(302, headers={"Location": "http://169.254.169.254/"})]) as receiver:
        WebhookEndpoint.objects.create(user=alice, url=receiver.url, events=["media.done"])
        finished_photo(alice)

        webhook_delivery.deliver(WebhookMessage.objects.get().pk)

    assert len(receiver.received) == 1
    delivery = WebhookMessage.objects.get().deliveries.get()
    assert delivery.status_code == 302 and "redirects are not followed" in delivery.error
    assert not delivery.succeeded


def test_a_huge_answer_is_read_only_up_to_64_kb(settings):
    settings.FER_WEBHOOK_ALLOW_HTTP = settings.FER_WEBHOOK_ALLOW_PRIVATE = True
    with Receiver([Answer(200, body=b"x" * (8 * 1024 * 1024))]) as receiver:
        reply = webhook_http.post(receiver.url, b"{}", {}, timeout_s=5)

    assert reply.succeeded and reply.error == ""
