import re

import pytest
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_reset_mail_carries_a_link_that_sets_a_new_password(client, django_user_model):
    dora = django_user_model.objects.create_user("dora", "dora@example.com", "old-password-42")

    response = client.post(reverse("accounts:password_reset"), {"email": "dora@example.com"})

    assert response.status_code == 302
    assert response.url == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["dora@example.com"]
    assert "dora" in message.body
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", message.body).group(1)

    # Django swaps the token in the URL for a session marker and redirects to a "set-password" URL.
    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "new-password-42", "new_password2": "new-password-42"},
    )

    assert response.status_code == 302
    assert response.url == reverse("accounts:password_reset_complete")
    dora.refresh_from_db()
    assert dora.check_password("new-password-42")


def test_an_unknown_address_sends_no_mail_and_reveals_nothing(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.com"}, follow=True)

    assert len(mail.outbox) == 0
    assert "If an account uses that address" in response.content.decode()


def test_a_used_reset_link_no_longer_works(client, django_user_model):
    django_user_model.objects.create_user("dora", "dora@example.com", "old-password-42")
    client.post(reverse("accounts:password_reset"), {"email": "dora@example.com"})
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    client.post(
        form_page.redirect_chain[-1][0], {"new_password1": "new-password-42", "new_password2": "new-password-42"}
    )
    client.logout()

    again = client.get(link, follow=True)

    assert "This link no longer works" in again.content.decode()
