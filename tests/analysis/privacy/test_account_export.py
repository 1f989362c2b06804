"""POST /api/me/export/ builds one ZIP of everything the user has: items/<id>.json as the API returns each
item, items/<id>.csv with each clip's detections, items.csv naming them, optionally media/; downloadable
for 24 hours, then deleted by the privacy sweep."""

import io
import json
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from analysis.jobs import dispatch
from analysis.models import DataExport, user_folder
from analysis.privacy.account_export import make_export
from analysis.privacy.sweep import sweep_privacy
from tests.analysis.clips import analysed_clip, api_client
from tests.analysis.helpers import finished_photo

URL = "/api/me/export/"


def download(client, url: str) -> zipfile.ZipFile:
    answer = client.get(url)
    assert answer.status_code == 200, answer.status_code
    assert answer["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(b"".join(answer.streaming_content)))


def made_export(client, **options) -> dict:
    assert client.post(URL, options, format="json").status_code == 202
    make_export(DataExport.objects.get().pk)
    return client.get(URL).json()


@pytest.fixture
def photos(alice, bob):
    finished_photo(bob)  # never in alice's export
    return [finished_photo(alice), finished_photo(alice, faces=2)]


def test_asking_answers_202_and_queues_the_task(alice, sent_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client(alice).post(URL)

    assert response.status_code == 202
    assert (response.json()["status"], response.json()["url"]) == ("queued", "")
    assert [name for name, *_ in sent_tasks] == [dispatch.EXPORT_ACCOUNT]


def test_get_answers_an_empty_status_before_any_export(alice):
    body = api_client(alice).get(URL).json()

    assert (body["status"], body["url"]) == ("", "")


def test_the_zip_holds_each_item_as_the_api_returns_it_and_nothing_of_other_users(alice, photos, sent_tasks):
    client = api_client(alice)

    state = made_export(client)

    assert state["status"] == "done" and state["url"].startswith("http://testserver/files/exports/")
    archive = download(client, state["url"])
    names = set(archive.namelist()) - {"README.txt", "items.csv"}
    assert names == {f"items/{media.pk}.json" for media in photos}
    for media in photos:
        assert json.loads(archive.read(f"items/{media.pk}.json")) == client.get(f"/api/media/{media.pk}/").json()


def test_a_clips_detections_are_in_the_zip_as_the_csv_export_has_them(alice, tmp_path, sent_tasks):
    clip = analysed_clip(alice, tmp_path)
    client = api_client(alice)

    archive = download(client, made_export(client)["url"])

    csv_export = b"".join(client.get(f"/api/media/{clip.pk}/export.csv/").streaming_content)
    assert archive.read(f"items/{clip.pk}.csv") == csv_export
    assert json.loads(archive.read(f"items/{clip.pk}.json"))["id"] == str(clip.pk)


def test_the_media_is_included_when_asked(alice, photos, sent_tasks):
    client = api_client(alice)

    archive = download(client, made_export(client, include_media=True)["url"])

    for media in photos:
        with media.file.open("rb") as handle:
            assert archive.read(f"media/{media.pk}-photo.jpg") == handle.read()  # uploaded as photo.jpg


def test_another_user_cannot_download_it(alice, bob, photos, sent_tasks):
    state = made_export(api_client(alice))

    assert api_client(bob).get(state["url"]).status_code == 404
    assert api_client(bob).get(URL).json()["status"] == ""


def test_after_24_hours_the_link_is_dead_and_the_sweep_deletes_the_zip(
    alice, photos, media_root, sent_tasks, django_capture_on_commit_callbacks
):
    client = api_client(alice)
    state = made_export(client)
    export = DataExport.objects.get()
    stored = Path(media_root) / export.file.name
    assert stored.is_file()
    assert timedelta(hours=23) < export.expires_at - timezone.now() <= timedelta(hours=24)

    DataExport.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(state["url"]).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_privacy()["exports"] == 1

    assert not DataExport.objects.exists() and not stored.exists()
    assert not list((Path(media_root) / user_folder(alice.pk) / "exports").glob("*"))


def test_a_second_request_while_one_is_made_returns_the_same_export(alice, sent_tasks):
    client = api_client(alice)
    client.post(URL)
    client.post(URL)

    assert DataExport.objects.count() == 1


def test_the_profile_page_starts_it_and_shows_the_download_link(alice, photos, client, sent_tasks):
    client.force_login(alice)

    assert client.post("/accounts/privacy/export/").status_code == 302
    assert "Your export is being made" in client.get("/accounts/profile/").content.decode()
    make_export(DataExport.objects.get().pk)

    page = client.get("/accounts/profile/").content.decode()
    assert "Download your export (ZIP)" in page and "/files/exports/" in page
