"""Logit adjustment of the served classifier, measured and not adopted: ``python -m ml.experiments.prior_correction``.

Divides the served (uncalibrated) probabilities by the FER2013 training split's class frequencies
raised to tau, for tau 0-1, and prints accuracy and macro-F1 on validation (the crops) and on the dev
photos through the product path (largest face, a photo without a face counts as wrong), with fear
recall on the dev set. Validation chooses tau = 0 (model card, "Sixth session").
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/'s helpers (one core, timings, composites); _common sets thread counts before NumPy loads.
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import argparse

import _common  # noqa: E402, F401
import numpy as np


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--photos", default="../shared/data/realfaces-dev", help="folder with labels.csv")
    p.add_argument("--data", default=None, help="FER2013 npz (default $FER_DATA or ../shared/data/fer2013.npz)")
    args = p.parse_args()

    from ml import pipeline
    from ml.calibration import Calibration
    from ml.classify import Classifier
    from ml.evaluation import fer2013, metrics, photoset

    clf = Classifier(calibration=Calibration())  # as trained: the adjustment replaces nothing else
    x_val, y_val = fer2013.load_split(args.data, "val")
    p_val = np.concatenate([clf.predict(x_val[i : i + 32]) for i in range(0, len(x_val), 32)])
    _, y_train = fer2013.load_split(args.data, "train")
    prior = np.bincount(y_train, minlength=7) / len(y_train)
    photos = photoset.read_labels(args.photos)
    _, p_dev = photoset.predict(photos, lambda rgb: pipeline.analyze_image(rgb, classifier=clf))
    y_dev = np.array([photo.label for photo in photos])
    found = ~np.isnan(p_dev[:, 0])

    print(f"{'tau':>5}{'val acc':>10}{'val F1':>9}{'dev acc':>10}{'dev F1':>9}{'dev fear':>10}")
    for tau in (0.0, 0.25, 0.5, 0.75, 1.0):
        adjust = -tau * np.log(prior)
        val = metrics.report(y_val, np.argmax(np.log(p_val + 1e-9) + adjust, axis=1))
        dev_pred = np.where(found, np.argmax(np.log(np.nan_to_num(p_dev, nan=1 / 7) + 1e-9) + adjust, axis=1), -1)
        dev = metrics.report(y_dev, dev_pred)
        fear = float(np.mean(dev_pred[y_dev == 2] == 2))
        print(f"{tau:>5.2f}{val['accuracy']:>10.4f}{val['macro_f1']:>9.4f}{dev['accuracy']:>10.4f}"
              f"{dev['macro_f1']:>9.4f}{fear:>10.3f}")  # fmt: skip


if __name__ == "__main__":
    main()
