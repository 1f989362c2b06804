import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_user_changes_their_password_and_stays_logged_in(client, django_user_model):
    dora = django_user_model.objects.create_user("dora", password="old-password-42")
    client.force_login(dora)

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "old-password-42", "new_password1": "new-password-42", "new_password2": "new-password-42"},
    )

    assert response.status_code == 302
    assert response.url == reverse("accounts:password_change_done")
    dora.refresh_from_db()
    assert dora.check_password("new-password-42")
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_a_wrong_old_password_changes_nothing(client, django_user_model):
    dora = django_user_model.objects.create_user("dora", password="old-password-42")
    client.force_login(dora)

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "wrong", "new_password1": "new-password-42", "new_password2": "new-password-42"},
    )

    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()
    dora.refresh_from_db()
    assert dora.check_password("old-password-42")
