"""Score the product path (``ml.pipeline.analyze_image`` on whole photos) on a labelled folder.

The folder holds the photos and a ``labels.csv`` with the columns
``file,label_index,label_name,subject[,performance]`` (``file`` relative to the folder, labels in
FER order, see ``ml.EMOTIONS``). The largest face found in a photo is its answer; a photo where no
face is found counts as wrong, so accuracy is over all photos and the detection rate is beside it.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ml import EMOTIONS
from ml.evaluation import metrics

if TYPE_CHECKING:
    from ml.pipeline import Face

NO_FACE = -1


@dataclass(frozen=True)
class Photo:
    path: Path
    label: int
    subject: str
    performance: str


def read_labels(folder: str | Path) -> list[Photo]:
    """The photos that ``folder/labels.csv`` lists, in its order."""
    folder = Path(folder)
    with (folder / "labels.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows or not {"file", "label_index", "subject"} <= set(rows[0]):
        raise ValueError(f"{folder / 'labels.csv'} needs the columns file,label_index,label_name,subject")
    return [Photo(folder / r["file"], int(r["label_index"]), r["subject"], r.get("performance") or "") for r in rows]


def load_rgb(path: Path) -> np.ndarray:
    """uint8 (H,W,3) RGB of an image file, turned upright by its EXIF orientation."""
    from PIL import Image, ImageOps

    with Image.open(path) as im:
        return np.asarray(ImageOps.exif_transpose(im).convert("RGB"))


def predict(photos: list[Photo], analyze: Callable[[np.ndarray], Sequence[Face]]) -> tuple[np.ndarray, np.ndarray]:
    """(predicted class per photo, ``NO_FACE`` where none was found; float (N,7) probabilities of
    the largest face, NaN where none) with ``analyze(rgb) -> list[ml.pipeline.Face]``."""
    preds = np.full(len(photos), NO_FACE, np.int64)
    probs = np.full((len(photos), len(EMOTIONS)), np.nan)
    for i, photo in enumerate(photos):
        faces = analyze(load_rgb(photo.path))
        if faces:
            face = max(faces, key=lambda f: f.box[2] * f.box[3])
            probs[i] = [face.probabilities[name] for name in EMOTIONS]
            preds[i] = int(np.argmax(probs[i]))
    return preds, probs


def accuracy_by(photos: list[Photo], preds: np.ndarray, key: str) -> dict[str, dict[str, float]]:
    """{group: {"accuracy", "n"}} over the photos grouped by ``key`` (subject or performance)."""
    groups: defaultdict[str, list[bool]] = defaultdict(list)
    for photo, pred in zip(photos, preds):
        groups[getattr(photo, key)].append(pred == photo.label)
    return {g: {"accuracy": float(np.mean(v)), "n": len(v)} for g, v in sorted(groups.items())}


def report(photos: list[Photo], preds: np.ndarray) -> dict[str, Any]:
    """``ml.evaluation.metrics.report`` over all photos (a missed face is wrong) plus ``detection_rate``,
    ``missed`` per class, and accuracy ``per_subject`` and ``per_performance``."""
    labels = np.array([p.label for p in photos])
    rep = metrics.report(labels, preds)
    found = preds != NO_FACE
    rep["detection_rate"] = float(found.mean()) if len(found) else 0.0
    rep["missed"] = {name: int(((labels == k) & ~found).sum()) for k, name in enumerate(EMOTIONS)}
    rep["per_subject"] = accuracy_by(photos, preds, "subject")
    if any(p.performance for p in photos):
        rep["per_performance"] = accuracy_by(photos, preds, "performance")
    subject_acc = [v["accuracy"] for v in rep["per_subject"].values()]
    rep["subject_accuracy_range"] = [min(subject_acc), max(subject_acc)] if subject_acc else []
    return rep
