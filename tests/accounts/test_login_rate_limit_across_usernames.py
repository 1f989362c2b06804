"""Password spraying: failed log-ins from one address across many usernames are counted together, and
past FER_LOGIN_ADDRESS_FAILURE_LIMIT log-in from that address is refused with 429 and Retry-After, on
the page and the token endpoint; another address is not affected."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.LOGIN_FAILURE_LIMIT = 5
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 4


def log_in(client, username, password, address="10.0.0.9"):
    return client.post(reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def test_one_wrong_password_for_each_of_many_usernames_ends_in_429(client, alice):
    codes = [log_in(client, f"user{n}", "Winter2025!").status_code for n in range(4)]

    refused = log_in(client, "alice", PASSWORD)

    assert codes == [200] * 4
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "Too many failed log-in attempts from your address" in refused.content.decode()
    token = client.post(reverse("api:token"), {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="10.0.0.9")
    assert token.status_code == 429


def test_another_address_still_logs_in(client, alice):
    for n in range(4):
        log_in(client, f"user{n}", "Winter2025!")

    assert log_in(client, "alice", PASSWORD, address="10.0.0.10").status_code == 302
