"""An item's detections as CSV or JSON, streamed: the API's exports and the account export's ZIP."""

import csv
import io
import itertools
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


def streamed_csv(header: list[str], rows):
    """A CSV a line at a time: ``header``, then each of ``rows`` (lists of cells), never whole in memory."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in itertools.chain([header], rows):
        writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def probability_cells(probabilities: dict | None) -> list[str]:
    """The seven probabilities in ml.EMOTIONS order; empty cells for a sampled instant without a face."""
    probabilities = probabilities or {}
    return [f"{probabilities[name]:.6f}" if name in probabilities else "" for name in ml.EMOTIONS]


def confidence_cells(probabilities: dict | None, emotion: str) -> list[str]:
    """confidence and uncertain, as the detections API computes them (empty without a face)."""
    confidence = confidence_of(probabilities, emotion)
    uncertain = uncertain_at(confidence)
    return ["" if confidence is None else f"{confidence:.6f}", "" if uncertain is None else str(uncertain).lower()]


def csv_lines(media: Media):
    rows = (
        [frame, timestamp_ms, "" if track is None else track, *(box or ["", "", "", ""]), emotion]
        + probability_cells(probabilities)
        + confidence_cells(probabilities, emotion)
        for frame, timestamp_ms, track, box, probabilities, emotion in _rows(media)
    )
    return streamed_csv(CSV_HEADER, rows)


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
