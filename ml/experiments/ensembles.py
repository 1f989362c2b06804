"""Test-time views and ensembles, scored on FER2013 validation and the dev photos:
``python -m ml.experiments.ensembles``.

Measured and not adopted (`ml/TRAINING_LOG.md`; the model card gives the served model's figures).
For the served model and any Keras weights given (``--weights``; earlier served weights are in the
history, for example ``git show 58828b8:ml/weights/reference.npz > e36.npz``), it computes
probabilities of each face in several views: as cut, mirrored, and the frame shifted by 4% of its
side left, right, up and down (on validation the 48x48 face is re-framed with its edge pixels; on the
dev photos the crop is cut again from the photo around the shipped detector's box). It then prints
validation accuracy and macro-F1 and the dev set's accuracy, macro-F1 and fear recall of each model
alone, with mirror averaging, with all ten views, with the ten views only for the faces the served
model marks uncertain (the share of validation faces / dev faces so marked in brackets), and of the
mean of every pair and of all the models.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/'s helpers (one core, timings, composites); _common sets thread counts before NumPy loads.
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import argparse
import itertools
from pathlib import Path

import _common  # noqa: E402, F401
import numpy as np

VIEWS = {"as cut": (0.0, 0.0), "left": (-0.04, 0.0), "right": (0.04, 0.0), "up": (0.0, -0.04), "down": (0.0, 0.04)}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--photos", default="../shared/data/realfaces-dev", help="folder with labels.csv")
    p.add_argument(
        "--weights", nargs="*", default=[], help="Keras weights (.npz, .weights.h5) to score beside the served model"
    )
    args = p.parse_args()

    import cv2

    import ml
    from ml.calibration import Calibration, apply_temperature, load
    from ml.classify import Classifier
    from ml.detect import crop_faces, detect_faces
    from ml.evaluation import fer2013, metrics, photoset
    from ml.faces import SERVED, FrameGeometry
    from ml.training.evaluate import KerasClassifier

    _common.pin_to_one_core()
    x_val, y_val = fer2013.load_split(None, "val")
    photos = photoset.read_labels(args.photos)
    y_dev = np.array([ph.label for ph in photos])
    greys = [cv2.cvtColor(photoset.load_rgb(ph.path), cv2.COLOR_RGB2GRAY) for ph in photos]
    boxes = [max(found, key=lambda b: b[2] * b[3]) if (found := detect_faces(g)) else None for g in greys]
    found = np.array([b is not None for b in boxes])

    def shifted_val(dx: float, dy: float) -> np.ndarray:
        m = np.float32([[1, 0, -dx * 48], [0, 1, -dy * 48]])
        return np.stack([cv2.warpAffine(f, m, (48, 48), borderMode=cv2.BORDER_REPLICATE) for f in x_val])

    def shifted_dev(dx: float, dy: float) -> np.ndarray:
        frame = FrameGeometry(SERVED.scale, SERVED.dx + dx * SERVED.scale, SERVED.dy + dy * SERVED.scale)
        out = np.zeros((len(photos), 48, 48), np.uint8)
        for i, (grey, box) in enumerate(zip(greys, boxes)):
            if box is not None:
                out[i] = crop_faces(grey, [box], frame)[0]
        return out

    served = Classifier(calibration=Calibration())  # as trained: calibration never changes the top class
    calibration = load(ml.MODEL_VERSION)
    models = {"served": served, **{Path(w).name: KerasClassifier(w, "reference") for w in args.weights}}
    probs: dict[tuple[str, str, bool], tuple[np.ndarray, np.ndarray]] = {}
    for view, (dx, dy) in VIEWS.items():
        xv, xd = (x_val, shifted_dev(0, 0)) if view == "as cut" else (shifted_val(dx, dy), shifted_dev(dx, dy))
        for mirror in (False, True):
            a, b = (np.ascontiguousarray(xv[:, :, ::-1]), np.ascontiguousarray(xd[:, :, ::-1])) if mirror else (xv, xd)
            for name, model in models.items():
                probs[(name, view, mirror)] = (model.predict(a), model.predict(b))

    def row(label: str, keys: list[tuple[str, str, bool]], only_uncertain: bool = False) -> None:
        pv = np.mean([probs[k][0] for k in keys], axis=0)
        pd = np.mean([probs[k][1] for k in keys], axis=0)
        if only_uncertain:
            # The extra views only where the one view's calibrated top probability is under the served
            # threshold: what they would cost in the product is 1 + (views - 1) x that share.
            def unsure(plain: np.ndarray) -> np.ndarray:
                top: np.ndarray = apply_temperature(plain, calibration.temperature).max(1)
                return top < calibration.uncertain_below

            plain_v, plain_d = probs[(keys[0][0], "as cut", False)]
            unsure_v, unsure_d = unsure(plain_v), unsure(plain_d)
            pv, pd = np.where(unsure_v[:, None], pv, plain_v), np.where(unsure_d[:, None], pd, plain_d)
            label += f" ({unsure_v.mean():.1%} / {unsure_d[found].mean():.1%})"
        val = metrics.report(y_val, pv.argmax(1))
        dev = metrics.report(y_dev, np.where(found, pd.argmax(1), photoset.NO_FACE))
        print(
            f"{label:<36}{val['accuracy']:>9.4f}{val['macro_f1']:>9.4f}"
            f"{dev['accuracy']:>9.4f}{dev['macro_f1']:>9.4f}{dev['per_class']['fear']['recall']:>9.4f}"
        )

    print(f"{'':<36}{'val acc':>9}{'val F1':>9}{'dev acc':>9}{'dev F1':>9}{'dev fear':>9}")
    for name in models:
        row(name, [(name, "as cut", False)])
        row(f"{name}, mirror averaged", [(name, "as cut", m) for m in (False, True)])
        row(f"{name}, 5 frames x mirror", [(name, v, m) for v in VIEWS for m in (False, True)])
        if name == "served":
            row("  the same, uncertain faces only", [(name, v, m) for v in VIEWS for m in (False, True)], True)
    groups = list(itertools.combinations(models, 2)) + ([tuple(models)] if len(models) > 2 else [])
    for group in groups:
        row(" + ".join(group), [(name, "as cut", False) for name in group])


if __name__ == "__main__":
    main()
