"""Password-reset requests are limited per client address (429 with Retry-After), and reset mails per
e-mail address, silently: the answer is the same whether a mail went or not."""

import pytest
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db


def ask(client, email="dora@example.com", address="10.0.0.9"):
    return client.post(reverse("accounts:password_reset"), {"email": email}, REMOTE_ADDR=address)


@pytest.fixture(autouse=True)
def dora(django_user_model):
    return django_user_model.objects.create_user("dora", "dora@example.com", "old-password-42")


def test_past_the_rate_one_address_is_answered_429_and_no_mail_goes(client, settings):
    settings.FER_PASSWORD_RESET_RATE = "2/hour"

    codes = [ask(client).status_code for _ in range(3)]

    assert codes == [302, 302, 429]
    refused = ask(client)
    assert int(refused["Retry-After"]) > 0
    assert "Too many password resets" in refused.content.decode()
    assert len(mail.outbox) == 2


def test_one_mailbox_gets_a_bounded_number_of_mails_from_many_addresses(client, settings):
    settings.FER_PASSWORD_RESET_EMAIL_RATE = "2/hour"

    codes = [ask(client, address=f"10.0.1.{n}").status_code for n in range(5)]

    assert codes == [302] * 5
    assert len(mail.outbox) == 2
