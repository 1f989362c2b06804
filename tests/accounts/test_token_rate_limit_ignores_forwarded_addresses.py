"""The token endpoint's per-address limit counts the socket's address: a forged X-Forwarded-For, new on
every request, does not reset it (issue 25); with FER_TRUSTED_PROXIES it counts the proxy's client."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

RATE = 3


@pytest.fixture(autouse=True)
def _small_rate(settings):
    settings.FER_TOKEN_RATE = f"{RATE}/min"
    # The failed log-in lock-out would also answer 429; keep it out of the way.
    settings.LOGIN_FAILURE_LIMIT = 1000


def token(client, n, **meta):
    data = {"username": f"nobody{n}", "password": "wrong"}
    return client.post(reverse("api:token"), data, REMOTE_ADDR="10.0.0.9", **meta)


def test_a_new_forged_forwarded_address_on_each_request_is_still_limited(client):
    codes = [token(client, n, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code for n in range(RATE + 2)]

    assert codes == [400] * RATE + [429, 429]


def test_the_429_says_when_to_retry(client):
    for n in range(RATE):
        token(client, n)

    response = token(client, RATE)

    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1


def test_behind_one_trusted_proxy_each_client_the_proxy_names_is_limited_apart(client, settings):
    settings.FER_TRUSTED_PROXIES = 1
    # What the client wrote comes first; the proxy appends the address it saw.
    alice = [token(client, n, HTTP_X_FORWARDED_FOR=f"1.2.3.{n}, 198.51.100.1").status_code for n in range(RATE + 1)]
    bob = token(client, 99, HTTP_X_FORWARDED_FOR="198.51.100.2").status_code

    assert alice == [400] * RATE + [429]
    assert bob == 400
