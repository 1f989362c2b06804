"""The profile page lists a user's webhooks with their recent attempts, adds one (showing its secret
once), sends a test event and deletes one; another user's webhooks are neither shown nor touched."""

import pytest

from analysis.models import WebhookDelivery, WebhookEndpoint, WebhookMessage

pytestmark = pytest.mark.usefixtures("private_webhook_addresses")


@pytest.fixture
def endpoint(alice):
    endpoint = WebhookEndpoint.objects.create(user=alice, url="https://127.0.0.1/alice-hook", events=["media.done"])
    message = WebhookMessage.objects.create(endpoint=endpoint, event="media.done", body="{}", status="failed")
    WebhookDelivery.objects.create(message=message, endpoint=endpoint, attempt=1, error="HTTP 503.", duration_ms=42)
    return endpoint


def test_it_lists_endpoints_with_their_recent_attempts(alice_browser, endpoint):
    page = alice_browser.get("/accounts/profile/").content.decode()

    assert "https://127.0.0.1/alice-hook" in page
    assert "HTTP 503." in page and "42 ms" in page
    assert endpoint.secret not in page


def test_adding_one_redirects_to_the_profile_which_shows_its_secret_once(alice_browser, alice):
    response = alice_browser.post("/accounts/webhooks/", {"url": "https://127.0.0.1/new", "events": ["media.done"]})

    endpoint = WebhookEndpoint.objects.get(user=alice)
    assert response.status_code == 302 and response["Location"] == "/accounts/profile/#new-webhook"
    assert endpoint.secret not in response.content.decode()
    assert endpoint.secret in alice_browser.get("/accounts/profile/").content.decode()
    assert endpoint.secret not in alice_browser.get("/accounts/profile/").content.decode()


def test_another_users_new_endpoint_id_in_the_session_shows_nothing(alice_browser, bob):
    others = WebhookEndpoint.objects.create(user=bob, url="https://127.0.0.1/bob-hook", events=["media.done"])
    session = alice_browser.session
    session["new_webhook"] = str(others.pk)
    session.save()

    page = alice_browser.get("/accounts/profile/").content.decode()

    assert others.secret not in page and "bob-hook" not in page


def test_a_failing_endpoint_is_marked_with_its_last_error(alice_browser, endpoint):
    page = alice_browser.get("/accounts/profile/").content.decode()

    assert "webhook--failing" in page
    assert "Last attempt failed" in page and "HTTP 503." in page


def test_the_form_says_how_to_allow_http_and_private_addresses(alice_browser, settings):
    settings.FER_WEBHOOK_ALLOW_HTTP = settings.FER_WEBHOOK_ALLOW_PRIVATE = False

    page = alice_browser.get("/accounts/profile/").content.decode()

    assert "FER_WEBHOOK_ALLOW_HTTP=True" in page and "FER_WEBHOOK_ALLOW_PRIVATE=True" in page


def test_a_private_address_is_refused_with_a_message(alice_browser, settings):
    settings.FER_WEBHOOK_ALLOW_PRIVATE = False

    response = alice_browser.post("/accounts/webhooks/", {"url": "https://10.0.0.1/", "events": ["media.done"]})

    assert response.status_code == 400
    assert "private" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_send_a_test_event(alice_browser, endpoint):
    response = alice_browser.post(f"/accounts/webhooks/{endpoint.pk}/test/")

    assert response.status_code == 302
    assert WebhookMessage.objects.filter(endpoint=endpoint, event="webhook.test").count() == 1


def test_delete(alice_browser, endpoint):
    assert alice_browser.post(f"/accounts/webhooks/{endpoint.pk}/delete/").status_code == 302
    assert not WebhookEndpoint.objects.exists()


def test_a_disabled_endpoint_says_why(alice_browser, endpoint):
    WebhookEndpoint.objects.update(enabled=False, disabled_reason="Every delivery failed for 3 days.")

    assert "Every delivery failed for 3 days." in alice_browser.get("/accounts/profile/").content.decode()


def test_another_users_webhooks_are_not_shown_or_touched(bob_browser, endpoint):
    page = bob_browser.get("/accounts/profile/").content.decode()
    tested = bob_browser.post(f"/accounts/webhooks/{endpoint.pk}/test/")
    deleted = bob_browser.post(f"/accounts/webhooks/{endpoint.pk}/delete/")

    assert "alice-hook" not in page
    assert tested.status_code == deleted.status_code == 404
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()
