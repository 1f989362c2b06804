"""An item's detections as CSV or JSON, streamed: the API's exports and the account export's ZIP."""

import csv
import io
import json

import ml
from analysis.media.models import Media
from ml.summary import ROW_FIELDS

CSV_HEADER = ["frame", "timestamp_ms", "track", "x", "y", "w", "h", "emotion", *ml.EMOTIONS]


def _rows(media: Media):
    # iterator() streams from the database, so a ten-minute clip never sits in memory whole.
    return media.detections.order_by("frame", "track").values_list(*ROW_FIELDS).iterator(chunk_size=2000)


def csv_lines(media: Media):
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def take() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(CSV_HEADER)
    yield take()
    for frame, timestamp_ms, track, box, probabilities, emotion in _rows(media):
        box = box or ["", "", "", ""]
        probabilities = probabilities or {}
        writer.writerow(
            [frame, timestamp_ms, "" if track is None else track, *box, emotion]
            + [f"{probabilities[name]:.6f}" if name in probabilities else "" for name in ml.EMOTIONS]
        )
        yield take()


def json_chunks(media: Media, track_serializer):
    head = {
        "id": str(media.pk),
        "duration_ms": media.duration_ms,
        "people": media.people,
        "partial": media.partial,
        "tracks": track_serializer(media.tracks, many=True).data,
    }
    yield json.dumps(head)[:-1] + ', "rows": ['
    for i, values in enumerate(_rows(media)):
        yield ("," if i else "") + json.dumps(dict(zip(ROW_FIELDS, values)))
    yield "]}"
