"""The committed weights score what the model card says on the whole validation split."""

import re
from pathlib import Path

import numpy as np
import pytest

import ml
from ml.evaluation import fer2013, metrics

CARD = Path(ml.__file__).with_name("MODEL_CARD.md")


def card_figures() -> tuple[float, float]:
    m = re.search(r"Validation accuracy: ([\d.]+) %, macro-F1: ([\d.]+) %", CARD.read_text())
    assert m, "MODEL_CARD.md must state 'Validation accuracy: X %, macro-F1: Y %'"
    return float(m.group(1)), float(m.group(2))


def test_the_shipped_model_scores_what_the_model_card_says(fer_data):
    from ml.classify import served

    faces, labels = fer2013.load_split(fer_data, "val")
    rep = metrics.report(labels, served().predict(faces).argmax(axis=1))
    accuracy, macro_f1 = card_figures()
    assert rep["n"] == 3589
    assert 100 * rep["accuracy"] == pytest.approx(accuracy, abs=0.3)
    assert 100 * rep["macro_f1"] == pytest.approx(macro_f1, abs=0.3)


def test_the_served_weights_are_compact_and_named():
    sizes = [p.stat().st_size for p in ml.WEIGHTS_DIR.iterdir()]
    assert sum(sizes) < 25 * 2**20
    assert ml.MODEL_VERSION != "untrained"
    with np.load(ml.WEIGHTS_DIR / "reference.npz") as npz:
        assert {npz[k].dtype for k in npz.files} == {np.dtype(np.float16)}
