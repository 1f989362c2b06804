"""The CSV and JSON exports carry what the detections API carries: confidence and uncertain too
(issue 24, item 10)."""

import csv
import io
import json

from tests.analysis.clips import analysed_clip, api_client


def test_the_csv_and_json_exports_have_each_rows_confidence_and_uncertain_as_the_api(alice, bob, tmp_path):
    clip = analysed_clip(alice, tmp_path)
    client = api_client(alice)

    api_rows = client.get(f"/api/media/{clip.pk}/detections/?page_size=5000").json()["results"]
    csv_text = b"".join(client.get(f"/api/media/{clip.pk}/export.csv/").streaming_content).decode()
    csv_rows = list(csv.DictReader(io.StringIO(csv_text)))
    json_rows = json.loads(b"".join(client.get(f"/api/media/{clip.pk}/export.json/").streaming_content))["rows"]

    assert csv_text.splitlines()[0].endswith(",neutral,confidence,uncertain")
    assert any(row["uncertain"] is not None for row in api_rows)
    assert [(r["confidence"], r["uncertain"]) for r in json_rows] == [
        (r["confidence"], r["uncertain"]) for r in api_rows
    ]
    expected = [
        (
            "" if r["confidence"] is None else f"{r['confidence']:.6f}",
            "" if r["uncertain"] is None else str(r["uncertain"]).lower(),
        )
        for r in api_rows
    ]
    assert [(r["confidence"], r["uncertain"]) for r in csv_rows] == expected
    assert api_client(bob).get(f"/api/media/{clip.pk}/export.csv/").status_code == 404
