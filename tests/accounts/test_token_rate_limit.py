"""Past the failed log-in limit, POST /api/auth/token/ answers 429 with Retry-After, even for the right password."""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

pytestmark = pytest.mark.django_db

LIMIT = 3
WINDOW_S = 600
PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _small_limit(settings):
    settings.LOGIN_FAILURE_LIMIT = LIMIT
    settings.LOGIN_FAILURE_WINDOW_S = WINDOW_S


def token(client, password, address="10.0.0.9"):
    return client.post(reverse("api:token"), {"username": "alice", "password": password}, REMOTE_ADDR=address)


def test_the_right_password_is_429_with_retry_after_once_the_limit_is_hit(client, alice):
    for _ in range(LIMIT):
        assert token(client, "wrong").status_code == 400

    response = token(client, PASSWORD)

    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= WINDOW_S
    assert "Too many failed log-in attempts" in response.json()["detail"]
    assert "minutes" in response.json()["detail"]
    assert not Token.objects.filter(user=alice).exists()


def test_another_address_still_gets_its_token(client, alice):
    for _ in range(LIMIT):
        token(client, "wrong")

    response = token(client, PASSWORD, address="10.0.0.10")

    assert response.status_code == 200
    assert response.json()["token"] == Token.objects.get(user=alice).key


def test_the_log_in_page_says_when_to_retry_too(client, alice):
    for _ in range(LIMIT):
        token(client, "wrong")

    response = client.post(
        reverse("accounts:login"), {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="10.0.0.9"
    )

    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= WINDOW_S


def test_a_json_body_that_is_no_object_is_a_400_not_a_500(client):
    response = client.post(reverse("api:token"), "[1, 2]", content_type="application/json")

    assert response.status_code == 400
