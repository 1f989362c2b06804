"""A collection's summary: its items by status and kind, the faces found and their emotions, and, when
items carry the owner's labels, how often the prediction agrees (``evaluation``).

The prediction compared with a label is the one the item's page leads with: a photo's largest face's
top emotion, and a clip's (or a recording's) dominant emotion, the emotion shown most over its people
(analysis.media.models.Media.store_clip_summary). Faces are counted as the dashboard counts them
(DetectionQuerySet.emotion_per_face): a photo's face once, a person in a clip once. A handful of queries
whatever the size, so a collection of thousands of items answers quickly.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count

import ml
from analysis.jobs.lifecycle import FINAL_STATES, JobStatus
from analysis.media.models import Media
from analysis.media.results import Detection

EMOTIONS = tuple(ml.EMOTIONS)


def _ratio(numerator: float, denominator: float) -> float:
    # scikit-learn's zero_division=0: a class never predicted has precision 0, one never expected recall 0.
    return numerator / denominator if denominator else 0.0


def evaluate(pairs: list[tuple[str, str]]) -> dict:
    """Accuracy, macro F1, per-class precision, recall, F1 and support, and the 7x7 confusion matrix
    (rows the expected emotion, columns the predicted, in ml.EMOTIONS order) of (expected, predicted)
    pairs. Macro F1 averages the classes that occur as expected or predicted (as scikit-learn's
    f1_score(average="macro") does); accuracy and macro_f1 are None without a pair."""
    index = {name: i for i, name in enumerate(EMOTIONS)}
    confusion = [[0] * len(EMOTIONS) for _ in EMOTIONS]
    for expected, predicted in pairs:
        confusion[index[expected]][index[predicted]] += 1
    per_class = {}
    present = []
    for i, name in enumerate(EMOTIONS):
        true_positive = confusion[i][i]
        support = sum(confusion[i])
        predictions = sum(row[i] for row in confusion)
        precision, recall = _ratio(true_positive, predictions), _ratio(true_positive, support)
        f1 = _ratio(2 * precision * recall, precision + recall)
        per_class[name] = {"precision": precision, "recall": recall, "f1": f1, "support": support}
        if support or predictions:
            present.append(f1)
    scored = len(pairs)
    return {
        "n_scored": scored,
        "accuracy": _ratio(sum(confusion[i][i] for i in range(len(EMOTIONS))), scored) if scored else None,
        "macro_f1": sum(present) / len(present) if present else None,
        "per_class": per_class,
        "labels": list(EMOTIONS),
        "confusion": confusion,
    }


@dataclass
class Evaluation:
    """The evaluation and the items behind it: ``cells`` maps (expected, predicted) to item ids."""

    data: dict | None
    cells: dict[tuple[str, str], list] = field(default_factory=dict)
    no_face: list = field(default_factory=list)


def _largest_face_emotions(photo_ids: list) -> dict:
    """Each photo's largest face's top emotion (the first from the left on a tie)."""
    best: dict = {}
    faces = (
        Detection.objects.filter(media_id__in=photo_ids, frame=0)
        .exclude(track=None)
        .order_by("media_id", "track")
        .values_list("media_id", "box", "emotion")
    )
    for media_id, box, emotion in faces.iterator(chunk_size=2000):
        area = box[2] * box[3] if box else 0
        if media_id not in best or area > best[media_id][0]:
            best[media_id] = (area, emotion)
    return {media_id: emotion for media_id, (_, emotion) in best.items()}


def evaluation_of(items) -> Evaluation:
    """The evaluation of ``items`` (a Media queryset) against their labels; data None when none is labelled."""
    labelled = list(
        items.exclude(expected_emotion="").values_list("pk", "kind", "status", "expected_emotion", "dominant_emotion")
    )
    if not labelled:
        return Evaluation(None)
    done_photos = [pk for pk, kind, status, *_ in labelled if kind == Media.Kind.PHOTO and status == JobStatus.DONE]
    photo_emotions = _largest_face_emotions(done_photos)
    pairs, cells, no_face = [], defaultdict(list), []
    unfinished = failed = 0
    for pk, kind, status, expected, dominant in labelled:
        if status not in FINAL_STATES:
            unfinished += 1
            continue
        if status != JobStatus.DONE:
            failed += 1  # failed or cancelled: no prediction to score
            continue
        predicted = photo_emotions.get(pk, "") if kind == Media.Kind.PHOTO else dominant
        if predicted not in EMOTIONS:
            no_face.append(pk)
            continue
        pairs.append((expected, predicted))
        cells[(expected, predicted)].append(pk)
    data = {"n_labelled": len(labelled), "no_face": len(no_face), "unfinished": unfinished, "failed": failed}
    data.update(evaluate(pairs))
    return Evaluation(data, dict(cells), no_face)


def collection_status(counts: Counter) -> str:
    """ "empty", "active" while an item is queued or being analysed, else "done"."""
    if not sum(counts.values()):
        return "empty"
    return "active" if counts[JobStatus.QUEUED] or counts[JobStatus.PROCESSING] else "done"


def summarize(collection, evaluation: Evaluation | None = None) -> dict:
    """GET /api/collections/<id>/summary/: counts by status and kind, faces and their emotions, the
    items' dominant emotions, and the evaluation (None when no item carries a label)."""
    items = Media.objects.filter(collection=collection)
    by_status: Counter = Counter()
    by_kind: Counter = Counter()
    for status, kind, n in (
        items.order_by().values("status", "kind").annotate(n=Count("pk")).values_list("status", "kind", "n")
    ):
        by_status[status] += n
        by_kind[kind] += n
    per_face = Detection.objects.filter(media__collection=collection).emotion_per_face()
    dominant = Counter(
        dict(
            items.exclude(dominant_emotion="")
            .order_by()
            .values("dominant_emotion")
            .annotate(n=Count("pk"))
            .values_list("dominant_emotion", "n")
        )
    )
    if evaluation is None:
        evaluation = evaluation_of(items)
    return {
        "id": str(collection.pk),
        "status": collection_status(by_status),
        "items": {
            "total": sum(by_status.values()),
            "by_status": {value: by_status[value] for value in JobStatus.values},
            "by_kind": {value: by_kind[value] for value in Media.Kind.values},
        },
        "faces": sum(per_face.values()),
        "emotions": {name: per_face[name] for name in EMOTIONS},
        "dominant_emotions": {name: dominant[name] for name in EMOTIONS},
        "evaluation": evaluation.data,
    }
