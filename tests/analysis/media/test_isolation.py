"""alice can neither see, change nor delete bob's items through the API or the file URLs."""

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from analysis.media.services import create_media
from analysis.models import Media
from tests.analysis.helpers import finished_photo
from tests.photos import astronaut, encode, upload


@pytest.fixture
def bobs_photo(bob):
    return finished_photo(bob)


def test_alice_does_not_see_bobs_items_in_her_list(alice_api, bobs_photo, alice):
    mine = finished_photo(alice)

    results = alice_api.get("/api/media/").json()["results"]

    assert [item["id"] for item in results] == [str(mine.pk)]


def test_bobs_item_is_404_for_alice(alice_api, bobs_photo):
    assert alice_api.get(f"/api/media/{bobs_photo.pk}/").status_code == 404


def test_alice_cannot_delete_bobs_item(alice_api, bobs_photo):
    assert alice_api.delete(f"/api/media/{bobs_photo.pk}/").status_code == 404
    assert Media.objects.filter(pk=bobs_photo.pk).exists()


def test_alice_cannot_change_bobs_item(alice_api, bobs_photo):
    for method in (alice_api.put, alice_api.patch):
        assert method(f"/api/media/{bobs_photo.pk}/", {"status": "failed"}).status_code in (404, 405)
    bobs_photo.refresh_from_db()
    assert bobs_photo.status == "done"


@pytest.mark.parametrize("which", ["original", "thumbnail"])
def test_bobs_files_are_404_for_alice(alice_browser, bobs_photo, which):
    assert alice_browser.get(f"/files/{bobs_photo.pk}/{which}/").status_code == 404


@pytest.mark.parametrize("which", ["original", "thumbnail"])
def test_bobs_files_are_404_without_logging_in(bobs_photo, which):
    assert Client().get(f"/files/{bobs_photo.pk}/{which}/").status_code == 404


@pytest.mark.parametrize("which", ["original", "thumbnail"])
def test_bob_gets_his_own_files(bob_browser, bobs_photo, which):
    response = bob_browser.get(f"/files/{bobs_photo.pk}/{which}/")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "private" in response["Cache-Control"]
    stored = getattr(bobs_photo, "file" if which == "original" else "thumbnail")
    assert b"".join(response.streaming_content) == stored.open("rb").read()


def test_a_token_gives_access_to_own_files_only(alice, bob, bobs_photo):
    client = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=bob).key}")
    assert client.get(f"/files/{bobs_photo.pk}/original/").status_code == 200

    client = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=alice).key}")
    assert client.get(f"/files/{bobs_photo.pk}/original/").status_code == 404


def test_a_guessed_storage_path_serves_nothing(alice_browser, bob, bobs_photo, media_root):
    name = bobs_photo.file.name
    assert name.startswith(f"users/{bob.pk}/") and (media_root / name).exists()

    for url in (f"/{name}", f"/media/{name}", f"/files/{name}", f"/files/../media/{name}", f"/static/../media/{name}"):
        response = alice_browser.get(url)
        assert response.status_code == 404, url


def test_stored_names_do_not_reuse_the_clients_file_name(bob):
    media = create_media(bob, upload(encode(astronaut()), "../../etc/my holiday.jpg"))

    assert media.original_name == "my holiday.jpg"
    assert media.file.name == f"users/{bob.pk}/{media.pk.hex}.jpg"
    assert media.thumbnail.name == f"users/{bob.pk}/thumbs/{media.pk.hex}.jpg"
