"""An item's detections as CSV or JSON, streamed: the API's exports and the account export's ZIP."""

import csv
import io
import json

import ml
from analysis.media.models import Media
from analysis.media.results import confidence_of, uncertain_at
from ml.summary import ROW_FIELDS

# What the detections API answers, flattened: confidence and uncertain come last, so that columns read
# by position before they were added keep their places.
CSV_HEADER = ["frame", "timestamp_ms", "track", "x", "y", "w", "h", "emotion", *ml.EMOTIONS, "confidence", "uncertain"]


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
        confidence = confidence_of(probabilities, emotion)
        uncertain = uncertain_at(confidence)
        box = box or ["", "", "", ""]
        probabilities = probabilities or {}
        writer.writerow(
            [frame, timestamp_ms, "" if track is None else track, *box, emotion]
            + [f"{probabilities[name]:.6f}" if name in probabilities else "" for name in ml.EMOTIONS]
            + ["" if confidence is None else f"{confidence:.6f}", "" if uncertain is None else str(uncertain).lower()]
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
        row = dict(zip(ROW_FIELDS, values))
        # The detections API's two computed fields, so the export carries what the API carries.
        row["confidence"] = confidence_of(row["probabilities"], row["emotion"])
        row["uncertain"] = uncertain_at(row["confidence"])
        yield ("," if i else "") + json.dumps(row)
    yield "]}"
