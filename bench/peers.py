"""This project against the `fer` package on the same labelled photos: ``python bench/peers.py``.

Both are run on whole photos as a user would (detector, crop, network; the largest face is the
answer, a photo without a face found counts as wrong), one after the other on core 0 with one
thread each, any ``ml.training`` run paused. Decoding is outside the timed part for both. `fer` 25.10.3 runs
with its defaults (Haar cascade, its quantized TFLite model) in a venv of its own, made on first
use in ``~/.cache/fer-peers/venv`` (``$FER_PEERS_VENV``): ``pip install --no-deps fer==25.10.3``
beside tensorflow-cpu and what `fer` imports. Without network or that venv, `fer` is skipped
with a message and only this project is measured.

Prints accuracy, macro-F1, detection rate, median milliseconds and photos per second of each, and
the ratios. ``--photos`` defaults to ../shared/data/realfaces-dev (its ``labels.csv`` format is
described in ``ml.evaluation.photoset``).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import _common  # noqa: F401  (first: thread settings, the repository root on sys.path)
import numpy as np

REPO = Path(__file__).resolve().parents[1]
DEFAULT_PHOTOS = REPO.parent / "shared" / "data" / "realfaces-dev"
VENV = Path(os.environ.get("FER_PEERS_VENV", Path.home() / ".cache" / "fer-peers" / "venv"))
FER_VERSION = "25.10.3"
FER_DEPS = ["tensorflow-cpu", "opencv-python-headless<5", "pillow", "requests", "pandas", "tqdm", "setuptools<81"]

# Runs inside the fer venv: reads photo paths (JSON) on stdin, prints one JSON object.
FER_RUNNER = r"""
import json, os, sys, time
os.sched_setaffinity(0, {0})
import cv2, numpy as np
from fer.fer import FER
detector = FER()
paths = json.load(sys.stdin)
names = ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]
out = {"pred": [], "seconds": []}
detector.detect_emotions(cv2.imread(paths[0]))  # warm-up: model load, first inference
for path in paths:
    image = cv2.imread(path)
    t = time.perf_counter()
    faces = detector.detect_emotions(image)
    out["seconds"].append(time.perf_counter() - t)
    if faces:
        face = max(faces, key=lambda f: f["box"][2] * f["box"][3])
        out["pred"].append(names.index(max(face["emotions"], key=face["emotions"].get)))
    else:
        out["pred"].append(-1)
print(json.dumps(out))
"""


def fer_python() -> Path | None:
    """The fer venv's python, made and filled when missing; None (with a message) when it cannot be."""
    python = VENV / "bin" / "python"
    check = [str(python), "-c", f"import fer, importlib.metadata as m; assert m.version('fer') == '{FER_VERSION}'"]
    if python.exists() and subprocess.run(check, capture_output=True).returncode == 0:
        return python
    print(f"# making the fer venv in {VENV} (tensorflow-cpu and fer=={FER_VERSION}; a few minutes)", file=sys.stderr)
    steps = [
        [sys.executable, "-m", "venv", str(VENV)],
        [str(python), "-m", "pip", "install", "-q", *FER_DEPS],
        [str(python), "-m", "pip", "install", "-q", "--no-deps", f"fer=={FER_VERSION}"],
    ]
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True)
        if done.returncode != 0:
            print(f"# skipping fer: {' '.join(step[:4])} failed:\n{done.stderr[-600:]}", file=sys.stderr)
            return None
    return python


def run_fer(python: Path, paths: list[str]) -> dict:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""}
    done = subprocess.run(
        [str(python), "-c", FER_RUNNER], input=json.dumps(paths), capture_output=True, text=True, env=env
    )
    if done.returncode != 0:
        raise RuntimeError(f"fer failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_ours(paths: list[str]) -> dict:
    from ml import EMOTIONS
    from ml.evaluation import photoset
    from ml.pipeline import analyze_image

    _common.pin_to_one_core(0)
    analyze_image(photoset.load_rgb(Path(paths[0])))  # warm-up
    out = {"pred": [], "seconds": []}
    for path in paths:
        rgb = photoset.load_rgb(Path(path))
        t = time.perf_counter()
        faces = analyze_image(rgb)
        out["seconds"].append(time.perf_counter() - t)
        face = max(faces, key=lambda f: f.box[2] * f.box[3]) if faces else None
        out["pred"].append(EMOTIONS.index(face.emotion) if face else photoset.NO_FACE)
    return out


def summary(photos, result: dict) -> dict:
    from ml.evaluation import photoset

    rep = photoset.report(photos, np.array(result["pred"]))
    median = statistics.median(result["seconds"])
    return {
        "accuracy": rep["accuracy"],
        "macro_f1": rep["macro_f1"],
        "detection_rate": rep["detection_rate"],
        "median_ms": median * 1000,
        "photos_per_s": 1 / median,
        "photos_per_s_overall": len(result["seconds"]) / sum(result["seconds"]),
    }


def main() -> None:
    p = _common.parser(__doc__)
    p.add_argument("--photos", default=str(DEFAULT_PHOTOS), help="folder with labels.csv")
    p.add_argument("--limit", type=int, help="only the first N photos")
    args = p.parse_args()

    import ml
    from ml.evaluation import photoset

    photos = photoset.read_labels(args.photos)[: args.limit]
    paths = [str(ph.path) for ph in photos]
    python = fer_python()
    figures = _common.Figures(__file__, enabled=args.json)
    figures.update(photos=len(photos), cores=1)
    results = {}
    with _common.training_paused():
        results[f"facet {ml.MODEL_VERSION}"] = summary(photos, run_ours(paths))
        if python:
            results[f"fer {FER_VERSION}"] = summary(photos, run_fer(python, paths))
    print(f"# {len(photos)} photos of {args.photos}; one core ({figures['cpu']}), one thread each")
    print(f"{'':<44}{'accuracy':>9}{'macro-F1':>9}{'detected':>9}{'median ms':>10}{'photos/s':>9}")
    for name, r in results.items():
        print(
            f"{name:<44}{r['accuracy']:>9.4f}{r['macro_f1']:>9.4f}{r['detection_rate']:>9.4f}"
            f"{r['median_ms']:>10.2f}{r['photos_per_s']:>9.1f}"
        )
    if len(results) == 2:
        ours, theirs = results.values()
        ratios = {
            "throughput": ours["photos_per_s"] / theirs["photos_per_s"],
            "accuracy_points": 100 * (ours["accuracy"] - theirs["accuracy"]),
            "detection_rate_points": 100 * (ours["detection_rate"] - theirs["detection_rate"]),
        }
        results["ratio"] = ratios
        print(
            f"this project / fer: {ratios['throughput']:.2f}x the photos per second; accuracy "
            f"{ratios['accuracy_points']:+.1f} points; detection rate {ratios['detection_rate_points']:+.1f} points"
        )
    # The keys --json always had: {"facet VERSION": {...}, "fer VERSION": {...}, "ratio": {...}}.
    figures.update(results)
    figures.finish()


if __name__ == "__main__":
    main()
