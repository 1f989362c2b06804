"""Score an emotion model on a labelled split: ``python -m ml.evaluate --help``.

By default it scores the model the platform serves (``ml.SERVED_TFLITE``, served.json names it, through
``ml.classify``); ``--weights`` names another .tflite (Keras weights and the confusion-matrix plot:
``python -m ml.training.evaluate``, the same arguments). Logs go to stderr; with ``--json`` the last
line of stdout is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

import ml
from ml import EMOTIONS
from ml.evaluation import fer2013, metrics


class FaceClassifier(Protocol):
    """What ``ml.classify.Classifier`` offers: float32 (N,7) probabilities of uint8 (N,48,48) faces."""

    def predict(self, faces: np.ndarray, tta: bool = False) -> np.ndarray: ...


# Builds a classifier from Keras weights and an architecture name (``ml.training.evaluate`` has one;
# evaluation itself never imports Keras).
KerasLoader = Callable[[str, str], FaceClassifier]


def classifier(weights: str | None, arch: str, keras_loader: KerasLoader | None = None) -> FaceClassifier:
    """The served classifier, or one of ``weights`` (.tflite here; Keras weights through ``keras_loader``)."""
    from ml.classify import Classifier, served

    if weights is None:
        return served()
    if Path(weights).suffix == ".tflite":
        return Classifier(weights)
    if keras_loader is None:
        raise SystemExit(f"{weights}: Keras weights are scored by `python -m ml.training.evaluate` (same arguments)")
    return keras_loader(weights, arch)


def score_photos(folder: str, clf: FaceClassifier, tta: bool) -> dict[str, Any]:
    """The product path's report on a labelled photo folder (``ml.evaluation.photoset``)."""
    from ml.evaluation import photoset
    from ml.pipeline import analyze_image

    photos = photoset.read_labels(folder)
    print(f"scoring {len(photos)} photos of {folder} through ml.pipeline.analyze_image", file=sys.stderr)
    preds, _ = photoset.predict(photos, lambda rgb: analyze_image(rgb, tta=tta, classifier=clf))
    return photoset.report(photos, preds)


def format_groups(rep: dict[str, Any]) -> str:
    lines = [f"detection rate {rep['detection_rate']:.4f}; faces not found per class: {rep['missed']}"]
    for key in ("per_performance", "per_subject"):
        if key in rep:
            lines += ["", f"accuracy {key.replace('_', ' ')}"]
            lines += [f"  {g:<18}{v['accuracy']:>8.4f}  (n={v['n']})" for g, v in rep[key].items()]
    return "\n".join(lines)


def format_report(rep: dict[str, Any]) -> str:
    lines = [
        f"n={rep['n']}  accuracy={rep['accuracy']:.4f}  macro-F1={rep['macro_f1']:.4f}",
        "",
        f"{'class':<10}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>10}",
    ]
    for name, c in rep["per_class"].items():
        lines.append(f"{name:<10}{c['precision']:>10.4f}{c['recall']:>10.4f}{c['f1']:>10.4f}{c['support']:>10}")
    lines += [
        "",
        "confusion matrix (rows: true, columns: predicted)",
        " " * 10 + "".join(f"{n[:8]:>9}" for n in EMOTIONS),
    ]
    for name, row in zip(EMOTIONS, rep["confusion_matrix"]):
        lines.append(f"{name:<10}" + "".join(f"{v:>9}" for v in row))
    return "\n".join(lines)


def parser(prog: str = "python -m ml.evaluate") -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n")[0])
    p.add_argument("--data", help="npz with x_<split> uint8 (N,48,48) and y_<split> (FER order)")
    p.add_argument("--split", default="val")
    p.add_argument("--photos", metavar="DIR", help="score whole photos listed in DIR/labels.csv instead of a split")
    p.add_argument("--weights", help="model to score instead of the served one")
    p.add_argument("--arch", default="reference", help="architecture of Keras --weights")
    p.add_argument("--tta", action="store_true", help="average each face with its mirror image")
    p.add_argument("--json", action="store_true", help="end stdout with one JSON line")
    return p


def evaluate(args: argparse.Namespace, keras_loader: KerasLoader | None = None) -> dict[str, Any]:
    """The report of ``parser()``'s arguments, printed for people (stdout) and returned."""
    clf = classifier(args.weights, args.arch, keras_loader)
    if args.photos:
        rep = score_photos(args.photos, clf, args.tta)
        rep.update(photos=str(args.photos))
    else:
        faces, labels = fer2013.load_split(args.data, args.split)
        print(
            f"scoring {len(faces)} faces of split {args.split!r} from {fer2013.data_path(args.data)}", file=sys.stderr
        )
        probs = clf.predict(faces, tta=args.tta)
        rep = metrics.report(labels, probs.argmax(axis=1))
        rep.update(split=args.split)
    rep.update(model_version=ml.MODEL_VERSION if args.weights is None else Path(args.weights).name, tta=args.tta)
    print(format_report(rep))
    if args.photos:
        print(format_groups(rep))
    return rep


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    rep = evaluate(args)
    if args.json:
        print(json.dumps(rep))
    return 0


if __name__ == "__main__":
    sys.exit(main())
