import pytest
from django.core.cache import cache
from django.urls import reverse

pytestmark = pytest.mark.django_db

LIMIT = 3


@pytest.fixture(autouse=True)
def _small_limit(settings):
    settings.LOGIN_FAILURE_LIMIT = LIMIT
    settings.LOGIN_FAILURE_WINDOW_S = 600
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def dora(django_user_model):
    return django_user_model.objects.create_user("dora", password="dora-password-42")


def _login(client, password, address="10.0.0.1", username="dora"):
    return client.post(reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def test_after_too_many_failures_even_the_right_password_is_refused_with_429(client, dora):
    for _ in range(LIMIT):
        assert _login(client, "wrong").status_code == 200

    response = _login(client, "dora-password-42")

    assert response.status_code == 429
    body = response.content.decode()
    assert "Too many failed log-in attempts" in body
    assert "Wait 10 minutes" in body
    assert "_auth_user_id" not in client.session


def test_the_limit_counts_per_address_so_others_can_still_log_in(client, dora):
    for _ in range(LIMIT):
        _login(client, "wrong", address="10.0.0.1")

    response = _login(client, "dora-password-42", address="10.0.0.2")

    assert response.status_code == 302


def test_the_limit_counts_per_username_case_insensitively(client, dora, django_user_model):
    django_user_model.objects.create_user("erin", password="erin-password-42")
    for _ in range(LIMIT):
        _login(client, "wrong", username="DORA")

    assert _login(client, "dora-password-42").status_code == 429
    assert _login(client, "erin-password-42", username="erin").status_code == 302


def test_a_successful_log_in_resets_the_counter(client, dora):
    for _ in range(LIMIT - 1):
        _login(client, "wrong")
    assert _login(client, "dora-password-42").status_code == 302
    client.logout()

    for _ in range(LIMIT - 1):
        assert _login(client, "wrong").status_code == 200
    assert _login(client, "dora-password-42").status_code == 302


def test_failures_for_an_unknown_username_are_limited_too(client):
    for _ in range(LIMIT):
        _login(client, "guess", username="nobody")

    assert _login(client, "guess", username="nobody").status_code == 429
