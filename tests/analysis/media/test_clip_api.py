"""The API of an analysed clip: its fields, its paginated rows, and its CSV and JSON exports."""

import csv
import io
import json

import ml
from ml import video
from tests.analysis.clips import analysed_clip, api_client
from tests.analysis.helpers import finished_photo


def test_a_clip_item_has_duration_people_tracks_and_detections_url(alice, tmp_path):
    media = analysed_clip(alice, tmp_path)

    body = api_client(alice).get(f"/api/media/{media.pk}/").json()

    assert body["kind"] == "video" and body["status"] == "done" and body["progress"] == 1.0
    assert body["duration_ms"] == 3000
    assert body["people"] == 2
    assert [tuple(track) for track in body["tracks"]] == [video.TRACK_FIELDS] * 2
    assert body["partial"] is False
    assert body["detections_url"].endswith(f"/api/media/{media.pk}/detections/")
    assert body["player"].endswith(f"/files/{media.pk}/playable/")
    assert body["summary"]["thumbnail"] == f"http://testserver/files/{media.pk}/thumbnail/"


def test_detections_are_paginated_rows_in_frame_order(alice, tmp_path):
    media = analysed_clip(alice, tmp_path)
    client = api_client(alice)

    first = client.get(f"/api/media/{media.pk}/detections/?page_size=10").json()
    everything = client.get(f"/api/media/{media.pk}/detections/").json()

    assert first["count"] == media.detections.count() == len(everything["results"])
    assert len(first["results"]) == 10 and first["next"]
    row = first["results"][0]
    assert tuple(row) == (*video.ROW_FIELDS, "confidence", "uncertain")
    assert row["frame"] == 0 and row["timestamp_ms"] == 0 and row["track"] == 1 and len(row["box"]) == 4
    assert set(row["probabilities"]) == set(ml.EMOTIONS)
    faceless = [r for r in everything["results"] if r["track"] is None]
    assert faceless and all(
        r["box"] is None and r["emotion"] == "" and r["confidence"] is None and r["uncertain"] is None for r in faceless
    )
    assert row["confidence"] == max(row["probabilities"].values())
    assert all(isinstance(r["uncertain"], bool) for r in everything["results"] if r["track"] is not None)


def test_the_csv_and_json_exports_have_a_row_per_sampled_frame_and_face(alice, tmp_path):
    media = analysed_clip(alice, tmp_path)
    client = api_client(alice)

    csv_response = client.get(f"/api/media/{media.pk}/export.csv/")
    json_response = client.get(f"/api/media/{media.pk}/export.json/")

    assert csv_response.status_code == 200 and csv_response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(csv_response.streaming_content).decode())))
    assert len(rows) == media.detections.count()
    assert [r for r in rows if r["timestamp_ms"] == "2400"] == [
        {"frame": "24", "timestamp_ms": "2400", "track": "", "x": "", "y": "", "w": "", "h": "", "emotion": "",
         **dict.fromkeys(ml.EMOTIONS, ""), "confidence": "", "uncertain": ""}
    ]  # fmt: skip
    document = json.loads(b"".join(json_response.streaming_content))
    assert document["people"] == 2 and len(document["tracks"]) == 2
    assert len(document["rows"]) == len(rows)
    faceless = {"frame": 24, "timestamp_ms": 2400, "track": None, "box": None, "probabilities": None, "emotion": ""}
    assert {**faceless, "confidence": None, "uncertain": None} in document["rows"]


def test_the_annotated_mp4_is_made_on_request(alice, tmp_path):
    from analysis.media.annotating import make_annotated

    media = analysed_clip(alice, tmp_path, seconds=1, blank_seconds=0)
    client = api_client(alice)

    assert client.get(f"/api/media/{media.pk}/annotated/").json()["status"] == ""
    asked = client.post(f"/api/media/{media.pk}/annotated/")
    make_annotated(media.pk)  # what the worker runs once the request commits
    ready = client.get(f"/api/media/{media.pk}/annotated/").json()

    assert asked.status_code == 202 and asked.json()["status"] == "queued"
    assert ready["status"] == "done" and ready["url"].endswith(f"/files/{media.pk}/annotated/")
    served = client.get(f"/files/{media.pk}/annotated/")
    assert served.status_code == 200 and served["Content-Type"] == "video/mp4"


def test_the_player_copy_is_served_in_byte_ranges(alice, tmp_path):
    media = analysed_clip(alice, tmp_path, seconds=1, blank_seconds=0)
    client = api_client(alice)

    response = client.get(f"/files/{media.pk}/playable/", HTTP_RANGE="bytes=0-99")

    assert response.status_code == 206
    assert len(b"".join(response.streaming_content)) == 100
    assert response["Content-Range"].startswith("bytes 0-99/")


def test_a_photo_answers_its_faces_through_the_same_detections_and_exports(alice):
    media = finished_photo(alice, faces=2)
    client = api_client(alice)

    item = client.get(f"/api/media/{media.pk}/").json()
    rows = client.get(f"/api/media/{media.pk}/detections/").json()["results"]
    csv_lines = b"".join(client.get(f"/api/media/{media.pk}/export.csv/").streaming_content).decode().splitlines()

    # One result shape: a photo's face is frame 0 at time 0, numbered left to right.
    assert [(r["frame"], r["timestamp_ms"], r["track"]) for r in rows] == [(0, 0, 1), (0, 0, 2)]
    assert [r["box"] for r in rows] == [face["box"] for face in item["faces"]]
    assert [r["confidence"] for r in rows] == [face["confidence"] for face in item["faces"]]
    assert len(csv_lines) == 3 and csv_lines[1].startswith("0,0,1,10,20,50,50,happy")


def test_exports_download_under_the_items_own_name():
    from analysis.models import Media

    assert Media(original_name="party.mov").download_name("detections", "csv") == "party-detections.csv"
    assert Media(original_name='a/b"c.mp4').download_name("annotated", "mp4") == "bc-annotated.mp4"
    nameless = Media()
    assert nameless.download_name("detections", "json") == f"{nameless.pk}-detections.json"


def test_the_csv_export_is_saved_as_the_originals_name(alice):
    media = finished_photo(alice)
    client = api_client(alice)

    response = client.get(f"/api/media/{media.pk}/export.csv/")

    stem = media.original_name.rsplit(".", 1)[0]
    assert response["Content-Disposition"] == f'attachment; filename="{stem}-detections.csv"'
