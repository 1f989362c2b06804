"""The collection's export: one CSV row per face over every item, with the item, its file name and kind, the
face's frame, time, box, probabilities, emotion, confidence and uncertain, and the expected emotion; the
same data nested by item as JSON."""

import csv
import io
import json

from analysis.models import Detection, Media
from tests.analysis.helpers import add_photo_faces, probabilities


def content(response) -> str:
    return b"".join(response.streaming_content).decode()


def test_the_csv_has_a_row_per_face_over_every_item(alice, study, api):
    photo = Media.objects.create(user=alice, collection=study, file="p.jpg", original_name="pair.jpg", status="done",
                                 expected_emotion="happy")  # fmt: skip
    add_photo_faces(
        photo, ((10, 10, 50, 50), probabilities("happy", 0.9)), ((80, 10, 50, 50), probabilities("sad", 0.3))
    )
    clip = Media.objects.create(user=alice, collection=study, kind="video", file="c.mp4", original_name="walk.mp4")
    Detection.objects.create(media=clip, frame=0, timestamp_ms=0)  # a sampled frame without a face: no row
    Detection.objects.create(media=clip, frame=5, timestamp_ms=200, track=1, box=[1, 2, 3, 4],
                             probabilities=probabilities("fear", 0.8), emotion="fear")  # fmt: skip
    Media.objects.create(user=alice, file="elsewhere.jpg")  # not in the collection

    for url in (f"/api/collections/{study.pk}/export.csv", f"/api/collections/{study.pk}/export.csv/"):
        response = api(alice).get(url)
        rows = list(csv.DictReader(io.StringIO(content(response))))
        assert response["Content-Type"].startswith("text/csv")
        assert len(rows) == 3
    assert list(rows[0])[:10] == ["item", "file", "kind", "frame", "timestamp_ms", "track", "x", "y", "w", "h"]
    assert list(rows[0])[-4:] == ["emotion", "confidence", "uncertain", "expected_emotion"]
    happy = next(row for row in rows if row["emotion"] == "happy")
    assert (happy["file"], happy["kind"], happy["expected_emotion"], happy["x"]) == ("pair.jpg", "photo", "happy", "10")
    assert float(happy["confidence"]) == 0.9 and happy["uncertain"] == "false"  # as the item CSV writes it
    fear = next(row for row in rows if row["emotion"] == "fear")
    assert (fear["item"], fear["frame"], fear["timestamp_ms"], fear["kind"]) == (str(clip.pk), "5", "200", "video")


def test_the_json_nests_the_faces_by_item(alice, study, api):
    photo = Media.objects.create(user=alice, collection=study, file="p.jpg", original_name="a.jpg", status="done")
    add_photo_faces(photo, ((10, 10, 50, 50), probabilities("happy", 0.9)))
    empty = Media.objects.create(user=alice, collection=study, file="q.jpg", original_name="b.jpg", status="queued")

    body = json.loads(content(api(alice).get(f"/api/collections/{study.pk}/export.json")))

    assert body["id"] == str(study.pk)
    items = {item["id"]: item for item in body["items"]}
    assert [face["emotion"] for face in items[str(photo.pk)]["faces"]] == ["happy"]
    assert items[str(photo.pk)]["faces"][0]["box"] == [10, 10, 50, 50]
    assert items[str(empty.pk)]["faces"] == []
