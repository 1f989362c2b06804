import numpy as np
import pytest

from ml.evaluation import metrics


def test_metrics_are_right_on_constructed_predictions():
    # angry: 2 true, both found; disgust: 2 true, one called angry; happy: 1 true, called happy.
    y_true = np.array([0, 0, 1, 1, 3])
    y_pred = np.array([0, 0, 1, 0, 3])
    rep = metrics.report(y_true, y_pred)
    assert rep["n"] == 5
    assert rep["accuracy"] == pytest.approx(0.8)
    angry = rep["per_class"]["angry"]
    assert angry["precision"] == pytest.approx(2 / 3)
    assert angry["recall"] == pytest.approx(1.0)
    assert angry["f1"] == pytest.approx(0.8)
    disgust = rep["per_class"]["disgust"]
    assert (disgust["precision"], disgust["recall"], disgust["f1"]) == pytest.approx((1, 0.5, 2 / 3))
    # Macro-F1 averages all seven classes; the four absent ones count as 0.
    assert rep["macro_f1"] == pytest.approx((0.8 + 2 / 3 + 1.0) / 7)
    assert rep["confusion_matrix"][1] == [1, 1, 0, 0, 0, 0, 0]


def test_a_perfect_prediction_scores_one():
    y = np.arange(7).repeat(3)
    rep = metrics.report(y, y)
    assert rep["accuracy"] == 1.0 and rep["macro_f1"] == 1.0
