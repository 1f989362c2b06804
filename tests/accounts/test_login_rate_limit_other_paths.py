"""The log-in limit counts and holds on every path into authenticate(), not only the log-in page."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

LIMIT = 3
ADDRESS = "10.0.0.9"


@pytest.fixture(autouse=True)
def _small_limit(settings):
    settings.LOGIN_FAILURE_LIMIT = LIMIT
    settings.LOGIN_FAILURE_WINDOW_S = 600


@pytest.fixture
def rate_limited_backend(settings):
    settings.AUTHENTICATION_BACKENDS = ["accounts.backends.RateLimitedModelBackend"]


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user("root", password="root-password-42", is_staff=True, is_superuser=True)


def _token(client, password, username="root"):
    return client.post(reverse("api:token"), {"username": username, "password": password}, REMOTE_ADDR=ADDRESS)


def _admin_login(client, password, username="root"):
    return client.post(reverse("admin:login"), {"username": username, "password": password}, REMOTE_ADDR=ADDRESS)


def test_wrong_passwords_sent_to_the_token_endpoint_count_towards_the_page_limit(client, staff):
    for _ in range(LIMIT):
        assert _token(client, "wrong").status_code == 400

    response = client.post(
        reverse("accounts:login"), {"username": "root", "password": "root-password-42"}, REMOTE_ADDR=ADDRESS
    )

    assert response.status_code == 429


def test_with_the_rate_limited_backend_the_admin_log_in_refuses_the_right_password_too(
    client, staff, rate_limited_backend
):
    for _ in range(LIMIT):
        _admin_login(client, "wrong")

    response = _admin_login(client, "root-password-42")

    assert response.status_code == 200  # the form again, not the redirect into the admin
    assert "_auth_user_id" not in client.session


def test_with_the_rate_limited_backend_the_token_endpoint_refuses_the_right_password_too(
    client, staff, rate_limited_backend
):
    for _ in range(LIMIT):
        _token(client, "wrong")

    assert _token(client, "root-password-42").status_code == 429


def test_below_the_limit_the_backend_lets_the_right_password_in(client, staff, rate_limited_backend):
    for _ in range(LIMIT - 1):
        _admin_login(client, "wrong")

    response = _admin_login(client, "root-password-42")

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(staff.pk)
