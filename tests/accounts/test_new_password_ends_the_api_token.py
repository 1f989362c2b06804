"""A password change or reset deletes the user's API token (it stops answering 200), and the next page
tells the person so; a user without a token is told nothing."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

TOLD = "Your API token was deleted with your old password"


def api_answers(key: str) -> int:
    # A real token, not force_authenticate: whether the token still works is what is tested.
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get("/api/media/").status_code


@pytest.fixture
def dora(django_user_model):
    return django_user_model.objects.create_user("dora", "dora@example.com", "old-password-42")


def test_a_password_change_ends_the_token_and_says_so(client, dora):
    key = Token.objects.create(user=dora).key
    assert api_answers(key) == 200
    client.force_login(dora)

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "old-password-42", "new_password1": "new-password-42", "new_password2": "new-password-42"},
        follow=True,
    )

    assert response.status_code == 200
    assert TOLD in response.content.decode()
    assert not Token.objects.filter(user=dora).exists()
    assert api_answers(key) == 401


def test_a_password_reset_ends_the_token_and_says_so(client, dora):
    key = Token.objects.create(user=dora).key
    client.post(reverse("accounts:password_reset"), {"email": "dora@example.com"})
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)

    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "new-password-42", "new_password2": "new-password-42"},
        follow=True,
    )

    assert TOLD in response.content.decode()
    assert api_answers(key) == 401


def test_without_a_token_nothing_is_said(client, dora):
    client.force_login(dora)

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "old-password-42", "new_password1": "new-password-42", "new_password2": "new-password-42"},
        follow=True,
    )

    assert TOLD not in response.content.decode()
