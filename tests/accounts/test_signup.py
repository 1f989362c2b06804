import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_visitor_signs_up_and_lands_logged_in_on_the_upload_page(client):
    response = client.post(
        reverse("accounts:signup"),
        {
            "username": "dora",
            "email": "dora@example.com",
            "password1": "a-long-secret-42",
            "password2": "a-long-secret-42",
        },
    )

    assert response.status_code == 302
    assert response.url == reverse("analysis:upload")
    user = get_user_model().objects.get(username="dora")
    assert user.email == "dora@example.com"
    assert user.check_password("a-long-secret-42")
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_sign_up_refuses_mismatched_passwords_and_creates_no_user(client):
    response = client.post(
        reverse("accounts:signup"),
        {"username": "dora", "password1": "a-long-secret-42", "password2": "another-secret-42"},
    )

    assert response.status_code == 200
    assert "password fields didn" in response.content.decode()
    assert not get_user_model().objects.filter(username="dora").exists()


def test_sign_up_refuses_a_username_that_is_taken(client, alice):
    response = client.post(
        reverse("accounts:signup"),
        {"username": "alice", "password1": "a-long-secret-42", "password2": "a-long-secret-42"},
    )

    assert response.status_code == 200
    assert "already exists" in response.content.decode()
