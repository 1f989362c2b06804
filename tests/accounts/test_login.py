import pytest
from django.core.cache import cache
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counters():
    # Failed-attempt counters live in the cache, which outlives a test's database transaction.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def dora(django_user_model):
    return django_user_model.objects.create_user("dora", password="dora-password-42")


def test_a_user_logs_in_with_the_right_password(client, dora):
    response = client.post(reverse("accounts:login"), {"username": "dora", "password": "dora-password-42"})

    assert response.status_code == 302
    assert response.url == reverse("analysis:home")
    assert client.session["_auth_user_id"] == str(dora.pk)


def test_log_in_follows_a_safe_next_url(client, dora):
    response = client.post(
        reverse("accounts:login") + "?next=/gallery/",
        {"username": "dora", "password": "dora-password-42", "next": "/gallery/"},
    )

    assert response.url == "/gallery/"


def test_a_wrong_password_is_refused_with_a_message(client, dora):
    response = client.post(reverse("accounts:login"), {"username": "dora", "password": "wrong"})

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_pages_send_anonymous_visitors_to_log_in(client):
    response = client.get(reverse("analysis:gallery"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
