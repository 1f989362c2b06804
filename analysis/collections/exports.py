"""A collection's faces as CSV or JSON, streamed: one row per face over every item (a photo's faces, a
clip's or a recording's rows with a face), never the whole collection in memory."""

import json

import ml
from analysis.collections.models import Collection
from analysis.media.downloads import confidence_cells, probability_cells, streamed_csv
from analysis.media.models import Media
from analysis.media.results import Detection, confidence_of, uncertain_at

CSV_HEADER = [
    "item",
    "file",
    "kind",
    "frame",
    "timestamp_ms",
    "track",
    "x",
    "y",
    "w",
    "h",
    *ml.EMOTIONS,
    "emotion",
    "confidence",
    "uncertain",
    "expected_emotion",
]
FACE_FIELDS = ("media_id", "frame", "timestamp_ms", "track", "box", "probabilities", "emotion")


def _items(collection: Collection) -> list[tuple]:
    # A few columns per item (thousands fit easily); the faces are what is streamed.
    items = Media.objects.filter(collection=collection).order_by("created_at", "id")
    return list(items.values_list("pk", "original_name", "kind", "status", "expected_emotion"))


def _faces(collection: Collection):
    faces = (
        Detection.objects.filter(media__collection=collection)
        .exclude(track=None)
        .order_by("media__created_at", "media_id", "frame", "track")
        .values_list(*FACE_FIELDS)
    )
    return faces.iterator(chunk_size=2000)


def csv_lines(collection: Collection):
    """The CSV export, a line at a time (CSV_HEADER's columns)."""
    items = {pk: (name, kind, expected) for pk, name, kind, _, expected in _items(collection)}
    rows = (
        [media_id, *items.get(media_id, ("", "", ""))[:2], frame, timestamp_ms, track, *(box or ["", "", "", ""])]
        + probability_cells(probabilities)
        + [emotion, *confidence_cells(probabilities, emotion), items.get(media_id, ("", "", ""))[2]]
        for media_id, frame, timestamp_ms, track, box, probabilities, emotion in _faces(collection)
    )
    return streamed_csv(CSV_HEADER, rows)


def json_chunks(collection: Collection):
    """The JSON export: the collection and its items, each with its faces, as one streamed document."""
    head = {"id": str(collection.pk), "name": collection.name, "description": collection.description}
    yield json.dumps(head)[:-1] + ', "items": ['
    items = _items(collection)
    order = {item[0]: i for i, item in enumerate(items)}
    faces = _faces(collection)
    pending = next(faces, None)
    for i, (pk, name, kind, status, expected) in enumerate(items):
        item = {"id": str(pk), "file": name, "kind": kind, "status": status, "expected_emotion": expected}
        yield ("," if i else "") + json.dumps(item)[:-1] + ', "faces": ['
        first = True
        # Faces come in the items' order; one of an item moved in after the items were read is skipped.
        while pending is not None and order.get(pending[0], -1) < i:
            pending = next(faces, None)
        while pending is not None and pending[0] == pk:
            row = dict(zip(FACE_FIELDS[1:], pending[1:]))
            row["confidence"] = confidence_of(row["probabilities"], row["emotion"])
            row["uncertain"] = uncertain_at(row["confidence"])
            yield ("" if first else ",") + json.dumps(row)
            first = False
            pending = next(faces, None)
        yield "]}"
    yield "]}"
