import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_log_out_by_post_ends_the_session(client, alice):
    client.force_login(alice)

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("analysis:gallery")).status_code == 302


def test_log_out_by_get_shows_a_log_out_button_and_does_not_log_out(client, alice):
    client.force_login(alice)

    response = client.get(reverse("accounts:logout"))

    # Not an empty 405, and still not a log-out: a link or an <img> on another site cannot trigger it.
    assert response.status_code == 200
    body = response.content.decode()
    assert f'<form method="post" action="{reverse("accounts:logout")}">' in body
    assert "csrfmiddlewaretoken" in body and ">Log out</button>" in body
    assert client.session["_auth_user_id"] == str(alice.pk)


def test_the_log_out_page_of_someone_logged_out_offers_to_log_in(client):
    response = client.get(reverse("accounts:logout"))

    assert response.status_code == 200
    assert "You are logged out" in response.content.decode()


def test_every_page_offers_a_log_out_button(client, alice):
    client.force_login(alice)

    body = client.get(reverse("analysis:gallery")).content.decode()

    assert f'action="{reverse("accounts:logout")}"' in body
