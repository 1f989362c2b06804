"""``python -m ml.evaluate`` for Keras weights, with the confusion matrix drawn:
``python -m ml.training.evaluate --weights best.weights.h5 --arch reference --plot cm.png``.

The same arguments and report as ``ml.evaluation.evaluate`` (which serving machines can run without
TensorFlow); this module adds what needs Keras and matplotlib.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np

from ml import EMOTIONS
from ml.evaluation import evaluate as base
from ml.faces import to_model_input


class KerasClassifier:
    """Keras weights behind the served classifier's ``predict(faces, tta)``."""

    def __init__(self, weights: str, arch: str):
        from ml.training import model as models

        self.model = models.build(arch)
        models.load_weights(self.model, weights)

    def predict(self, faces: np.ndarray, tta: bool = False) -> np.ndarray:
        x = to_model_input(faces)
        probs = self.model.predict(x, batch_size=256, verbose=0)
        if tta:
            probs = (probs + self.model.predict(x[:, :, ::-1], batch_size=256, verbose=0)) / 2
        result: np.ndarray = probs  # Keras has no type information: predict returns Any
        return result


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
    p = base.parser("python -m ml.training.evaluate")
    p.add_argument("--plot", metavar="FILE.png", help="draw the confusion matrix")
    args = p.parse_args(argv)
    rep = base.evaluate(args, keras_loader=KerasClassifier)
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
