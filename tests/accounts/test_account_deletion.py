import io
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from rest_framework.authtoken.models import Token

from analysis.media.services import create_media
from analysis.models import Detection, Media
from tests.analysis.helpers import add_photo_faces

pytestmark = pytest.mark.django_db


def _photo(name="photo.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 90)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def dora(django_user_model):
    return django_user_model.objects.create_user("dora", password="dora-password-42")


@pytest.fixture
def doras_media(dora):
    items = [create_media(dora, _photo(f"p{i}.png")) for i in range(2)]
    add_photo_faces(items[0], ((1, 2, 10, 10), {"happy": 1.0}))
    return items


def _stored_paths(items):
    return [Path(field.path) for media in items for field in (media.file, media.thumbnail)]


def test_deleting_the_account_removes_every_row_and_file_and_kills_the_token(
    client, dora, doras_media, bob, django_capture_on_commit_callbacks
):
    bobs_media = create_media(bob, _photo())
    token = Token.objects.create(user=dora)
    files = _stored_paths(doras_media)
    assert all(path.exists() for path in files)
    client.force_login(dora)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:delete"), {"password": "dora-password-42"})

    assert response.status_code == 302
    assert response.url == reverse("analysis:home")
    assert not get_user_model().objects.filter(username="dora").exists()
    assert not Media.objects.filter(user_id=dora.pk).exists()
    assert not Detection.objects.filter(media__in=[m.pk for m in doras_media]).exists()
    assert not any(path.exists() for path in files)
    assert not Token.objects.filter(key=token.key).exists()
    assert "_auth_user_id" not in client.session
    api = client.get(reverse("api:media-list"), HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.status_code == 401
    # Somebody else's data is untouched.
    assert Media.objects.filter(pk=bobs_media.pk).exists()
    assert Path(bobs_media.file.path).exists()


def test_a_wrong_password_deletes_nothing(client, dora, doras_media):
    client.force_login(dora)

    response = client.post(reverse("accounts:delete"), {"password": "wrong"})

    assert response.status_code == 200
    assert "That is not your password. Nothing was deleted." in response.content.decode()
    assert get_user_model().objects.filter(pk=dora.pk).exists()
    assert Media.objects.filter(user=dora).count() == 2
    assert all(path.exists() for path in _stored_paths(doras_media))


def test_the_deletion_page_asks_for_the_password_first(client, dora):
    client.force_login(dora)

    response = client.get(reverse("accounts:delete"))

    assert response.status_code == 200
    assert 'type="password"' in response.content.decode()
    assert get_user_model().objects.filter(pk=dora.pk).exists()
