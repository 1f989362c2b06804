"""Classification metrics in plain NumPy: confusion matrix, accuracy, per-class P/R/F1, macro-F1."""

from __future__ import annotations

from typing import Any

import numpy as np

from ml import EMOTIONS


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, k: int = len(EMOTIONS)) -> np.ndarray:
    """int64 (k, k): rows are true classes, columns predicted classes; a negative prediction (no
    answer, e.g. no face found) is in no column."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    answered = y_pred >= 0
    cm = np.zeros((k, k), dtype=np.int64)
    np.add.at(cm, (y_true[answered], y_pred[answered]), 1)
    return cm


def report(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, Any]:
    """accuracy and macro_f1 (fractions), n, per_class {name: precision, recall, f1, support},
    confusion_matrix (list of lists). A negative prediction is wrong: it counts in its class's
    support and recall, in no column. A class never predicted has precision 0; F1 of a class with
    no support and no prediction is 0, as in scikit-learn's zero_division=0."""
    cm = confusion_matrix(y_true, y_pred)
    tp = np.diag(cm).astype(np.float64)
    predicted = cm.sum(axis=0)
    support = np.bincount(np.asarray(y_true), minlength=len(EMOTIONS))[: len(EMOTIONS)]
    precision = np.divide(tp, predicted, out=np.zeros_like(tp), where=predicted > 0)
    recall = np.divide(tp, support, out=np.zeros_like(tp), where=support > 0)
    denom = precision + recall
    f1 = np.divide(2 * precision * recall, denom, out=np.zeros_like(tp), where=denom > 0)
    n = int(support.sum())
    return {
        "accuracy": float(tp.sum() / n) if n else 0.0,
        "macro_f1": float(f1.mean()),
        "n": n,
        "per_class": {
            name: {
                "precision": float(precision[i]),
                "recall": float(recall[i]),
                "f1": float(f1[i]),
                "support": int(support[i]),
            }
            for i, name in enumerate(EMOTIONS)
        },
        "confusion_matrix": cm.tolist(),
    }


BINS = 15


def reliability(probs: np.ndarray, labels: np.ndarray, bins: int = BINS) -> list[dict[str, Any]]:
    """Per confidence bin (equal width over [0, 1]): its range, face count, mean confidence and
    accuracy of the top class."""
    conf = probs.max(axis=1)
    right = probs.argmax(axis=1) == labels
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(conf, edges[1:-1], right=True), 0, bins - 1)
    out: list[dict[str, Any]] = []
    for k in range(bins):
        mask = which == k
        out.append(
            {
                "low": float(edges[k]),
                "high": float(edges[k + 1]),
                "n": int(mask.sum()),
                "confidence": float(conf[mask].mean()) if mask.any() else float("nan"),
                "accuracy": float(right[mask].mean()) if mask.any() else float("nan"),
            }
        )
    return out


def ece(probs: np.ndarray, labels: np.ndarray, bins: int = BINS) -> float:
    """Expected calibration error: the face-weighted mean |accuracy - confidence| over ``bins``."""
    table = reliability(probs, labels, bins)
    n = sum(b["n"] for b in table)
    return float(sum(b["n"] * abs(b["accuracy"] - b["confidence"]) for b in table if b["n"]) / max(n, 1))
