"""The account export names each item as a person knows it: items.csv at the ZIP's root lists every item's
id, file name, kind, time, status and media file, and media/ names each original <id>-<safe name>.<ext>.
The client's file name is never a path: "../", backslashes, control characters and formulas are harmless.
"""

import csv
import io
import zipfile

from analysis.models import DataExport, Media
from analysis.privacy.account_export import make_export
from tests.analysis.clips import api_client
from tests.analysis.helpers import finished_photo

URL = "/api/me/export/"


def exported(user, **options) -> zipfile.ZipFile:
    client = api_client(user)
    assert client.post(URL, options, format="json").status_code == 202
    make_export(DataExport.objects.get(user=user).pk)
    answer = client.get(client.get(URL).json()["url"])
    return zipfile.ZipFile(io.BytesIO(b"".join(answer.streaming_content)))


def index(archive: zipfile.ZipFile) -> list[dict]:
    return list(csv.DictReader(io.StringIO(archive.read("items.csv").decode("utf-8"))))


def named(user, name: str) -> Media:
    media = finished_photo(user)
    Media.objects.filter(pk=media.pk).update(original_name=name)
    media.refresh_from_db()
    return media


def test_items_csv_lists_each_item_with_its_file_name_and_nothing_of_other_users(alice, bob, sent_tasks):
    party = named(alice, "party.jpg")
    beach = named(alice, "Beach day, 2024.jpg")
    named(bob, "bobs-secret.jpg")

    rows = index(exported(alice))

    assert [row["id"] for row in rows] == [str(party.pk), str(beach.pk)]
    assert [row["file_name"] for row in rows] == ["party.jpg", "Beach day, 2024.jpg"]
    assert set(rows[0]) == {"id", "file_name", "kind", "created_at", "status", "media"}
    assert (rows[0]["kind"], rows[0]["status"], rows[0]["media"]) == ("photo", "done", "")
    assert rows[0]["created_at"].startswith(party.created_at.isoformat()[:19])


def test_the_media_is_named_by_id_and_file_name_and_listed_in_the_index(alice, sent_tasks):
    party = named(alice, "party night.jpg")

    archive = exported(alice, include_media=True)

    name = f"media/{party.pk}-party_night.jpg"
    with party.file.open("rb") as handle:
        assert archive.read(name) == handle.read()
    assert index(archive)[0]["media"] == name
    assert f"items/{party.pk}.json" in archive.namelist()  # the API's shape stays


def test_a_hostile_file_name_is_harmless_in_the_zip(alice, sent_tasks):
    hostile = [
        "../../etc/passwd.jpg",
        "..\\..\\windows\\win.ini.jpg",
        "/absolute/photo.jpg",
        "..",
        "a\x1bb\r\nc\u202egpj.exe.jpg",
        '=HYPERLINK("http://127.0.0.1/x").jpg',
    ]
    items = [named(alice, name) for name in hostile]

    archive = exported(alice, include_media=True)

    media_names = [name for name in archive.namelist() if name.startswith("media/")]
    assert len(media_names) == len(items)
    for name in media_names:
        rest = name.removeprefix("media/")
        assert "/" not in rest and "\\" not in rest and ".." not in rest and rest.isprintable(), name
        assert rest.endswith(".jpg")
    by_id = {row["id"]: row for row in index(archive)}
    assert by_id[str(items[0].pk)]["media"] == f"media/{items[0].pk}-passwd.jpg"
    assert by_id[str(items[3].pk)]["media"] == f"media/{items[3].pk}.jpg"
    # The index keeps the name as sent (text, in a quoted CSV cell), a formula defused.
    assert by_id[str(items[0].pk)]["file_name"] == "../../etc/passwd.jpg"
    assert by_id[str(items[5].pk)]["file_name"] == "'" + hostile[5]
    # Extracting it writes inside the target folder only.
    for info in archive.infolist():
        assert not info.filename.startswith("/") and ".." not in info.filename.split("/"), info.filename
