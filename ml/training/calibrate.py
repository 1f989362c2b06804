"""Fit the served weights' calibration: ``python -m ml.training.calibrate --help``.

A temperature fitted on FER2013 validation (negative log-likelihood), the confidence below which a
face is marked uncertain, expected calibration error before and after, reliability diagrams; with
``--write`` the result goes to ``ml/weights/calibration.json`` (read by ``ml.calibration``).
Arrays: ``probs`` float (N,7) rows summing to 1 in FER order, ``labels`` int (N,).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

import numpy as np

from ml.calibration import CALIBRATION_FILE, Calibration, apply_temperature
from ml.evaluation.metrics import BINS, ece, reliability


def nll(probs: np.ndarray, labels: np.ndarray) -> float:
    return float(-np.mean(np.log(np.clip(probs[np.arange(len(labels)), labels], 1e-12, 1.0))))


def fit_temperature(probs: np.ndarray, labels: np.ndarray) -> float:
    """The temperature that minimises the negative log-likelihood of ``labels`` (golden-section
    search over log T in [1/10, 10]; the likelihood is unimodal in T)."""
    lo, hi = np.log(0.1), np.log(10.0)
    ratio = (np.sqrt(5) - 1) / 2
    a, b = hi - ratio * (hi - lo), lo + ratio * (hi - lo)

    def f(t: float) -> float:
        return nll(apply_temperature(probs, np.exp(t)), labels)

    fa, fb = f(a), f(b)
    for _ in range(60):
        if fa < fb:
            hi, b, fb = b, a, fa
            a = hi - ratio * (hi - lo)
            fa = f(a)
        else:
            lo, a, fa = a, b, fb
            b = lo + ratio * (hi - lo)
            fb = f(b)
    return float(np.exp((lo + hi) / 2))


def uncertain_threshold(probs: np.ndarray, labels: np.ndarray, bins: int = BINS) -> float:
    """The lowest confidence from which the top class is right at least as often as wrong, read off
    the reliability bins: the upper edge of the highest bin (with faces) whose accuracy is below 50%."""
    threshold = 0.0
    for b in reliability(probs, labels, bins):
        if b["n"] >= 10 and b["accuracy"] < 0.5:
            threshold = b["high"]
    return round(threshold, 4)


def plot(tables: dict[str, list[dict[str, Any]]], path: str) -> None:
    """Reliability diagrams (accuracy against confidence per bin), one panel per named table."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(tables), figsize=(4 * len(tables), 4), dpi=110, squeeze=False)
    for ax, (title, table) in zip(axes[0], tables.items()):
        centres = [(b["low"] + b["high"]) / 2 for b in table if b["n"]]
        acc = [b["accuracy"] for b in table if b["n"]]
        conf = [b["confidence"] for b in table if b["n"]]
        ax.plot([0, 1], [0, 1], color="grey", lw=1, ls="--", label="perfect")
        ax.bar(centres, acc, width=1 / len(table), alpha=0.6, edgecolor="black", label="accuracy")
        ax.plot(conf, acc, "o-", color="C3", ms=3, label="accuracy at mean confidence")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_xlabel("confidence of the top class")
        ax.set_ylabel("accuracy")
        ax.set_title(title, fontsize=8)
        ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def summary(probs: np.ndarray, labels: np.ndarray, fitted: Calibration) -> dict[str, Any]:
    """Face count, ECE as trained and calibrated by ``fitted``, and the share marked uncertain."""
    calibrated = apply_temperature(probs, fitted.temperature)
    return {
        "n": len(labels),
        "ece_before": ece(probs, labels),
        "ece_after": ece(calibrated, labels),
        "uncertain_share": float((calibrated.max(axis=1) < fitted.uncertain_below).mean()),
    }


def main(argv: Sequence[str] | None = None) -> int:
    import ml
    from ml.classify import Classifier
    from ml.evaluation import fer2013, photoset
    from ml.pipeline import analyze_image

    p = argparse.ArgumentParser(prog="python -m ml.training.calibrate", description=__doc__.split("\n")[0])
    p.add_argument("--data", help="FER2013 npz (default $FER_DATA or ../shared/data/fer2013.npz)")
    p.add_argument("--photos", metavar="DIR", help="also report calibration on this labelled photo folder")
    p.add_argument("--write", action="store_true", help=f"write {CALIBRATION_FILE.name} for the served weights")
    p.add_argument("--plot", metavar="FILE.png", help="draw the reliability diagrams")
    p.add_argument("--json", action="store_true", help="end stdout with one JSON line")
    args = p.parse_args(argv)

    raw = Classifier(calibration=Calibration())
    faces, labels = fer2013.load_split(args.data, "val")
    val = raw.predict(faces)
    temperature = fit_temperature(val, labels)
    val_cal = apply_temperature(val, temperature)
    fitted = Calibration(
        temperature=round(temperature, 4),
        uncertain_below=uncertain_threshold(val_cal, labels),
        model_version=ml.MODEL_VERSION,
    )
    out: dict[str, Any] = {"calibration": asdict(fitted), "val": summary(val, labels, fitted)}
    tables = {
        "FER2013 validation, as trained": reliability(val, labels),
        f"FER2013 validation, T={fitted.temperature}": reliability(val_cal, labels),
    }
    if args.photos:
        photos = photoset.read_labels(args.photos)
        _, probs = photoset.predict(photos, lambda rgb: analyze_image(rgb, classifier=raw))
        found = ~np.isnan(probs[:, 0])
        y = np.array([ph.label for ph in photos])[found]
        out["photos"] = summary(probs[found], y, fitted)
        tables[f"photos ({found.sum()}), T={fitted.temperature}"] = reliability(
            apply_temperature(probs[found], fitted.temperature), y
        )
    for split in ("val", "photos"):
        if split in out:
            r = out[split]
            print(
                f"{split}: n={r['n']} ECE {r['ece_before']:.4f} as trained -> {r['ece_after']:.4f} calibrated; "
                f"{r['uncertain_share']:.1%} uncertain"
            )
    print(f"temperature {fitted.temperature}, uncertain below {fitted.uncertain_below}")
    if args.plot:
        plot(tables, args.plot)
    if args.write:
        CALIBRATION_FILE.write_text(json.dumps(out, indent=1) + "\n")
        print(f"wrote {CALIBRATION_FILE}")
    if args.json:
        print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
