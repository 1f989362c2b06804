"""Score an emotion model on a labelled split: ``python -m ml.evaluate --help``.

By default it scores the model the platform serves (ml/weights/reference.tflite through
``ml.classify``); ``--weights`` names another (.tflite, or Keras .npz/.weights.h5/.keras with
``--arch``). Logs go to stderr; with ``--json`` the last line of stdout is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

import ml
from ml import EMOTIONS, data, metrics

if TYPE_CHECKING:
    from ml.classify import Classifier


class KerasClassifier:
    """Keras weights behind the served classifier's ``predict(faces, tta)``."""

    def __init__(self, weights: str, arch: str):
        from ml import model as models

        self.model = models.build(arch)
        models.load_weights(self.model, weights)

    def predict(self, faces: np.ndarray, tta: bool = False) -> np.ndarray:
        x = data.to_model_input(faces)
        probs = self.model.predict(x, batch_size=256, verbose=0)
        if tta:
            probs = (probs + self.model.predict(x[:, :, ::-1], batch_size=256, verbose=0)) / 2
        result: np.ndarray = probs  # Keras has no type information: predict returns Any
        return result


def classifier(weights: str | None, arch: str) -> Classifier | KerasClassifier:
    """The served classifier, or one of ``weights`` (.tflite, or Keras .npz/.weights.h5/.keras)."""
    from ml.classify import Classifier, served

    if weights is None:
        return served()
    if Path(weights).suffix == ".tflite":
        return Classifier(weights)
    return KerasClassifier(weights, arch)


def predict_probabilities(faces: np.ndarray, weights: str | None, arch: str, tta: bool) -> np.ndarray:
    """float32 (N,7) for uint8 (N,48,48) faces from the served model or ``weights``."""
    return classifier(weights, arch).predict(faces, tta=tta)


def score_photos(folder: str, weights: str | None, arch: str, tta: bool) -> dict[str, Any]:
    """The product path's report on a labelled photo folder (``ml.photoset``)."""
    from ml import photoset
    from ml.pipeline import analyze_image

    clf = classifier(weights, arch)
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


def plot_confusion(rep: dict[str, Any], path: str, title: str) -> None:
    """Row-normalised confusion matrix with counts, as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cm = np.asarray(rep["confusion_matrix"], dtype=float)
    norm = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)
    fig, ax = plt.subplots(figsize=(7, 6), dpi=110)
    im = ax.imshow(norm, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(EMOTIONS)), EMOTIONS, rotation=45, ha="right")
    ax.set_yticks(range(len(EMOTIONS)), EMOTIONS)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    for i in range(len(EMOTIONS)):
        for j in range(len(EMOTIONS)):
            ax.text(
                j,
                i,
                f"{norm[i, j]:.2f}\n{int(cm[i, j])}",
                ha="center",
                va="center",
                fontsize=7,
                color="white" if norm[i, j] > 0.5 else "black",
            )
    ax.set_title(title, fontsize=9)
    fig.colorbar(im, ax=ax, fraction=0.046)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m ml.evaluate", description=__doc__.split("\n")[0])
    p.add_argument("--data", help="npz with x_<split> uint8 (N,48,48) and y_<split> (FER order)")
    p.add_argument("--split", default="val")
    p.add_argument("--photos", metavar="DIR", help="score whole photos listed in DIR/labels.csv instead of a split")
    p.add_argument("--weights", help="model to score instead of the served one")
    p.add_argument("--arch", default="reference", help="architecture of Keras --weights")
    p.add_argument("--tta", action="store_true", help="average each face with its mirror image")
    p.add_argument("--json", action="store_true", help="end stdout with one JSON line")
    p.add_argument("--plot", metavar="FILE.png", help="draw the confusion matrix")
    args = p.parse_args(argv)

    if args.photos:
        rep = score_photos(args.photos, args.weights, args.arch, args.tta)
        rep.update(photos=str(args.photos))
    else:
        faces, labels = data.load_split(args.data, args.split)
        print(f"scoring {len(faces)} faces of split {args.split!r} from {data.data_path(args.data)}", file=sys.stderr)
        probs = predict_probabilities(faces, args.weights, args.arch, args.tta)
        rep = metrics.report(labels, probs.argmax(axis=1))
        rep.update(split=args.split)
    rep.update(model_version=ml.MODEL_VERSION if args.weights is None else Path(args.weights).name, tta=args.tta)
    print(format_report(rep))
    if args.photos:
        print(format_groups(rep))
    if args.plot:
        plot_confusion(
            rep,
            args.plot,
            f"{rep['model_version']} on {args.photos or args.split} (n={rep['n']}, "
            f"acc {rep['accuracy']:.3f}, macro-F1 {rep['macro_f1']:.3f}, TTA {'on' if args.tta else 'off'})",
        )
    if args.json:
        print(json.dumps(rep))
    return 0


if __name__ == "__main__":
    sys.exit(main())
