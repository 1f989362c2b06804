"""Sign-up is limited per client address (FER_SIGNUP_RATE): past it, 429 with Retry-After and a message,
and no account is made; another address still signs up."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

pytestmark = pytest.mark.django_db


def sign_up(client, name, address="10.0.0.9", **meta):
    data = {"username": name, "password1": "a-long-passphrase-42", "password2": "a-long-passphrase-42"}
    client.logout()
    return client.post(reverse("accounts:signup"), data, REMOTE_ADDR=address, **meta)


def test_the_third_account_from_one_address_is_refused(client, settings):
    settings.FER_SIGNUP_RATE = "2/hour"
    codes = [sign_up(client, f"user{n}", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code for n in range(3)]

    assert codes == [302, 302, 429]
    refused = sign_up(client, "user9")
    assert int(refused["Retry-After"]) > 0
    assert "Too many accounts were made from your address" in refused.content.decode()
    assert get_user_model().objects.count() == 2


def test_another_address_still_signs_up(client, settings):
    settings.FER_SIGNUP_RATE = "1/hour"
    sign_up(client, "user0")

    assert sign_up(client, "user1", address="10.0.0.10").status_code == 302
