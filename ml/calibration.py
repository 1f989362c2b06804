"""Calibrated probabilities at serving time: the temperature fitted on FER2013 validation for the
served weights and the confidence below which a face is marked uncertain.

``python -m ml.training.calibrate --help`` fits them and writes ``ml/weights/calibration.json``, which
``ml.classify.served()`` applies. Arrays: ``probs`` float (N,7) rows summing to 1 in FER order.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass

import numpy as np

from ml import WEIGHTS_DIR

CALIBRATION_FILE = WEIGHTS_DIR / "calibration.json"


@dataclass(frozen=True)
class Calibration:
    """``temperature`` divides the network's log-probabilities (1 = as trained); a face whose top
    calibrated probability is below ``uncertain_below`` is marked uncertain."""

    temperature: float = 1.0
    uncertain_below: float = 0.0
    model_version: str = ""


def apply_temperature(probs: np.ndarray, temperature: float) -> np.ndarray:
    """softmax(log(probs) / temperature): the same top class, confidences spread or sharpened."""
    logits = np.log(np.clip(np.asarray(probs, np.float64), 1e-12, 1.0)) / temperature
    logits -= logits.max(axis=1, keepdims=True)
    out = np.exp(logits)
    calibrated: np.ndarray = (out / out.sum(axis=1, keepdims=True)).astype(np.float32)
    return calibrated


def load(model_version: str) -> Calibration:
    """The calibration fitted for ``model_version``, or none (temperature 1, nothing uncertain)
    when the file is missing or was fitted for other weights."""
    try:
        saved = Calibration(**json.loads(CALIBRATION_FILE.read_text())["calibration"])
    except (OSError, ValueError, KeyError, TypeError):
        return Calibration()
    return saved if saved.model_version == model_version else Calibration()


@functools.cache
def served_threshold() -> float:
    """``uncertain_below`` of the served weights' calibration, read without loading the model (the
    web process marks stored faces with it)."""
    import ml

    return load(ml.MODEL_VERSION).uncertain_below
