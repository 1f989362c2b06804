"""The account export's items/<id>.json is exactly what GET /api/media/<id>/ answers, a clip's absolute
URLs included (issue 25, item 10): the worker builds them from FER_SITE_URL (the test client's host in
the test settings)."""

import io
import json
import zipfile

from analysis.models import DataExport
from analysis.privacy.account_export import make_export
from tests.analysis.clips import analysed_clip, api_client
from tests.analysis.helpers import finished_photo


def exported_items(client) -> zipfile.ZipFile:
    assert client.post("/api/me/export/").status_code == 202
    make_export(DataExport.objects.get().pk)
    answer = client.get(client.get("/api/me/export/").json()["url"])
    return zipfile.ZipFile(io.BytesIO(b"".join(answer.streaming_content)))


def test_a_clips_item_in_the_export_equals_the_apis_answer(alice, tmp_path, sent_tasks):
    clip = analysed_clip(alice, tmp_path, seconds=1, blank_seconds=0)
    photo = finished_photo(alice)
    client = api_client(alice)
    client.post(f"/api/media/{clip.pk}/annotated/")

    archive = exported_items(client)

    for media in (clip, photo):
        assert json.loads(archive.read(f"items/{media.pk}.json")) == client.get(f"/api/media/{media.pk}/").json()
    item = json.loads(archive.read(f"items/{clip.pk}.json"))
    assert item["player"].startswith("http://testserver/") and item["exports"]["csv"].startswith("http://")


def test_the_exports_urls_come_from_the_site_url(alice, tmp_path, sent_tasks, settings):
    settings.FER_SITE_URL = "https://facet.example.com"
    clip = analysed_clip(alice, tmp_path, seconds=1, blank_seconds=0)

    item = json.loads(exported_items(api_client(alice)).read(f"items/{clip.pk}.json"))

    assert item["detections_url"] == f"https://facet.example.com/api/media/{clip.pk}/detections/"
    assert item["summary"]["file"] == f"https://facet.example.com/files/{clip.pk}/original/"
