"""Served probabilities are calibrated by a temperature fitted on validation."""

import json

import numpy as np
import pytest

import ml
from ml import calibration
from ml.calibration import Calibration, apply_temperature
from ml.evaluation.metrics import ece
from ml.training.calibrate import fit_temperature, uncertain_threshold


def overconfident(n=4000, seed=0):
    """Probabilities whose true accuracy matches softmax(logits) while the reported ones are
    sharpened by a factor 2: the right temperature is 2."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(0, 1.5, (n, 7))
    true = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    labels = np.array([rng.choice(7, p=p) for p in true])
    return apply_temperature(true, 0.5), labels


def test_the_fitted_temperature_undoes_overconfidence_and_lowers_the_calibration_error():
    probs, labels = overconfident()
    t = fit_temperature(probs, labels)
    assert t == pytest.approx(2.0, rel=0.1)
    assert ece(apply_temperature(probs, t), labels) < ece(probs, labels) / 2


def test_a_temperature_keeps_the_top_class_and_rows_summing_to_one():
    probs, _ = overconfident(200)
    out = apply_temperature(probs, 1.7)
    np.testing.assert_array_equal(out.argmax(1), probs.argmax(1))
    np.testing.assert_allclose(out.sum(1), 1.0, rtol=1e-5)


def test_faces_are_uncertain_below_the_confidence_where_they_are_right_less_than_half_the_time():
    probs, labels = overconfident()
    cal = apply_temperature(probs, fit_temperature(probs, labels))
    t = uncertain_threshold(cal, labels)
    conf, right = cal.max(1), cal.argmax(1) == labels
    assert 0.2 < t < 0.8
    assert right[conf < t - 0.1].mean() < 0.5 < right[conf >= t].mean()


def test_the_shipped_calibration_is_for_the_served_weights_and_is_applied():
    saved = json.loads(calibration.CALIBRATION_FILE.read_text())
    assert saved["calibration"]["model_version"] == ml.MODEL_VERSION
    assert saved["val"]["ece_after"] <= 0.05
    from ml.classify import Classifier, served

    assert served().calibration == Calibration(**saved["calibration"])
    faces = np.random.default_rng(0).integers(0, 256, (4, 48, 48)).astype(np.uint8)
    raw = Classifier(calibration=Calibration()).predict(faces)
    np.testing.assert_allclose(
        served().predict(faces), apply_temperature(raw, saved["calibration"]["temperature"]), atol=1e-5
    )


def test_calibration_fitted_for_other_weights_is_not_applied(tmp_path, monkeypatch):
    other = tmp_path / "calibration.json"
    other.write_text(json.dumps({"calibration": {"temperature": 3.0, "uncertain_below": 0.5, "model_version": "x"}}))
    monkeypatch.setattr(calibration, "CALIBRATION_FILE", other)
    assert calibration.load(ml.MODEL_VERSION) == Calibration()
