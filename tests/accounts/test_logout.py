import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_log_out_by_post_ends_the_session(client, alice):
    client.force_login(alice)

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("analysis:gallery")).status_code == 302


def test_log_out_by_get_is_refused_so_other_sites_cannot_trigger_it(client, alice):
    client.force_login(alice)

    response = client.get(reverse("accounts:logout"))

    assert response.status_code == 405
    assert client.session["_auth_user_id"] == str(alice.pk)


def test_every_page_offers_a_log_out_button(client, alice):
    client.force_login(alice)

    body = client.get(reverse("analysis:gallery")).content.decode()

    assert f'action="{reverse("accounts:logout")}"' in body
