import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

pytestmark = pytest.mark.django_db


def _api_status(client, key):
    return client.get(reverse("api:media-list"), HTTP_AUTHORIZATION=f"Token {key}").status_code


def test_the_profile_offers_to_create_a_token_when_there_is_none(client, alice):
    client.force_login(alice)

    body = client.get(reverse("accounts:profile")).content.decode()

    assert "You have no token yet" in body
    assert "Create token" in body


def test_creating_a_token_shows_it_on_the_profile_and_it_authenticates(client, alice):
    client.force_login(alice)

    response = client.post(reverse("accounts:rotate_token"), follow=True)

    token = Token.objects.get(user=alice)
    assert token.key in response.content.decode()
    client.logout()
    assert _api_status(client, token.key) == 200


def test_rotating_the_token_stops_the_old_one_at_once(client, alice):
    old = Token.objects.create(user=alice)
    client.force_login(alice)

    response = client.post(reverse("accounts:rotate_token"), follow=True)

    new = Token.objects.get(user=alice)
    assert new.key != old.key
    assert "The old one no longer works" in response.content.decode()
    client.logout()
    assert _api_status(client, old.key) == 401
    assert _api_status(client, new.key) == 200


def test_the_token_can_only_be_rotated_by_post(client, alice):
    client.force_login(alice)

    assert client.get(reverse("accounts:rotate_token")).status_code == 405
    assert not Token.objects.filter(user=alice).exists()


def test_the_profile_shows_only_the_users_own_token(client, alice, bob):
    bobs = Token.objects.create(user=bob)
    client.force_login(alice)

    body = client.get(reverse("accounts:profile")).content.decode()

    assert bobs.key not in body
