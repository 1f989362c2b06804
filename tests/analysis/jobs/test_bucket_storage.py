"""With a bucket configured, every kept file is an object in it, served through presigned URLs after the
owner check, deleted with its item or account; nothing is written under MEDIA_ROOT."""

import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from analysis.media.services import delete_user_data
from analysis.models import Media
from tests.analysis.clips import analysed_clip, api_client
from tests.photos import astronaut, encode, upload


def fetch(url: str, headers: dict | None = None):
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=10) as answer:
        return answer.status, answer.headers, answer.read()


def files_under(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()]


def test_an_uploaded_photo_is_kept_in_the_bucket_and_not_under_media_root(alice, bucket, media_root, sent_tasks):
    response = api_client(alice).post("/api/media/", {"file": upload(encode(astronaut()))}, format="multipart")

    assert response.status_code == 202, response.content
    media = Media.objects.get(pk=response.json()["id"])
    assert bucket.keys(f"users/{alice.pk}/") == sorted([media.file.name, media.thumbnail.name])
    assert files_under(media_root) == []


def test_a_file_url_redirects_the_owner_to_a_url_that_expires_within_five_minutes(alice, bob, bucket, sent_tasks):
    client = api_client(alice)
    media = Media.objects.get(pk=client.post("/api/media/", {"file": upload(encode(astronaut()))}).json()["id"])

    answer = client.get(f"/files/{media.pk}/original/")

    assert answer.status_code == 302
    assert "no-store" in answer["Cache-Control"] and "private" in answer["Cache-Control"]
    target = answer["Location"]
    assert urlsplit(target).hostname == "127.0.0.1"
    assert int(parse_qs(urlsplit(target).query)["X-Amz-Expires"][0]) <= 300
    status, headers, body = fetch(target)
    assert status == 200 and headers["Content-Type"] == "image/jpeg"
    assert body == media.file.open("rb").read()
    assert api_client(bob).get(f"/files/{media.pk}/original/").status_code == 404
    assert api_client(bob).get(f"/files/{media.pk}/thumbnail/").status_code == 404


def test_a_clip_is_analysed_from_the_bucket_and_its_copy_served_in_ranges(alice, bob, bucket, tmp_path, media_root):
    media = analysed_clip(alice, tmp_path, seconds=1, blank_seconds=0)
    assert media.status == Media.Status.DONE, media.error

    answer = api_client(alice).get(f"/files/{media.pk}/playable/")

    assert answer.status_code == 302
    status, headers, body = fetch(answer["Location"], {"Range": "bytes=0-99"})
    assert status == 206 and len(body) == 100 and headers["Content-Type"] == "video/mp4"
    assert api_client(bob).get(f"/files/{media.pk}/playable/").status_code == 404
    assert files_under(media_root) == []
    assert set(bucket.keys(f"users/{alice.pk}/")) == {media.file.name, media.thumbnail.name, media.playable.name}


def test_deleting_an_item_deletes_its_objects(alice, bob, bucket, sent_tasks, django_capture_on_commit_callbacks):
    client = api_client(alice)
    media = Media.objects.get(pk=client.post("/api/media/", {"file": upload(encode(astronaut()))}).json()["id"])
    api_client(bob).post("/api/media/", {"file": upload(encode(astronaut()))})

    with django_capture_on_commit_callbacks(execute=True):
        deleted = client.delete(f"/api/media/{media.pk}/")

    assert deleted.status_code == 204
    assert bucket.keys(f"users/{alice.pk}/") == []
    assert len(bucket.keys(f"users/{bob.pk}/")) == 2


def test_deleting_an_account_deletes_all_its_objects(
    alice, bob, bucket, sent_tasks, django_capture_on_commit_callbacks
):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    client = api_client(alice)
    client.post("/api/media/", {"file": upload(encode(astronaut()))})
    api_client(bob).post("/api/media/", {"file": upload(encode(astronaut()))})
    default_storage.save(f"users/{alice.pk}/interrupted-upload.jpg", ContentFile(b"half a photo"))

    with django_capture_on_commit_callbacks(execute=True):
        delete_user_data(alice)

    assert bucket.keys(f"users/{alice.pk}/") == []
    assert len(bucket.keys(f"users/{bob.pk}/")) == 2
