import json

import numpy as np
import pytest

from ml.classify import Classifier
from ml.evaluation import fer2013
from ml.faces import to_model_input
from ml.training import export
from ml.training import model as models


def trained_tiny(x, y):
    import keras

    keras.utils.set_random_seed(0)
    net = models.build("tiny")
    net.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    net.fit(to_model_input(x), y, epochs=3, batch_size=32, verbose=0)
    return net


def test_export_of_a_tiny_model_keeps_the_top_class(synthetic_npz, tmp_path):
    x, y = fer2013.load_split(synthetic_npz, "train")
    net = trained_tiny(x, y)
    # float16 weights keep float32 arithmetic, so probabilities match closely.
    manifest = export.export(net, "tiny", tmp_path, "tiny-test", "test", x, "float16")
    assert manifest["parity_top1"] >= export.PARITY_REQUIRED
    assert manifest["precision"] == "float16"
    assert json.loads((tmp_path / "served.json").read_text())["model_version"] == "tiny-test"

    keras_probs = net.predict(to_model_input(x), verbose=0)
    lite = Classifier(tmp_path / "tiny.tflite")
    for n in (1, 3, 32, 45):  # odd sizes are padded to a power of two, big ones chunked
        np.testing.assert_allclose(lite.predict(x[:n]), keras_probs[:n], atol=2e-3)

    reloaded = models.build("tiny")
    models.load_compact(reloaded, tmp_path / "tiny.npz")
    np.testing.assert_allclose(reloaded.predict(to_model_input(x), verbose=0), keras_probs, atol=2e-3)


def test_dynamic_int8_export_stays_close_to_the_float_model(synthetic_npz, tmp_path):
    x, y = fer2013.load_split(synthetic_npz, "train")
    net = trained_tiny(x, y)
    export.to_tflite(net, tmp_path / "q.tflite", "dynamic-int8")
    diff = np.abs(Classifier(tmp_path / "q.tflite").predict(x) - net.predict(to_model_input(x), verbose=0))
    assert diff.max() < 0.05, diff.max()


def test_an_export_below_the_parity_bar_writes_nothing(synthetic_npz, tmp_path, monkeypatch):
    x, y = fer2013.load_split(synthetic_npz, "train")
    monkeypatch.setattr(export, "top1_agreement", lambda *a: export.PARITY_REQUIRED - 0.001)
    with pytest.raises(SystemExit, match="parity"):
        export.export(trained_tiny(x, y), "tiny", tmp_path / "out", "tiny-test", "test", x)
    assert list((tmp_path / "out").iterdir()) == []


def test_flip_averaging_is_the_mean_of_a_face_and_its_mirror(tmp_path, synthetic_npz):
    x, _ = fer2013.load_split(synthetic_npz, "val")
    net = models.build("tiny")
    export.to_tflite(net, tmp_path / "t.tflite")
    lite = Classifier(tmp_path / "t.tflite")
    both = (lite.predict(x[:5]) + lite.predict(x[:5, :, ::-1].copy())) / 2
    np.testing.assert_allclose(lite.predict(x[:5], tta=True), both, atol=1e-6)


def test_an_unknown_precision_is_refused(tmp_path):
    with pytest.raises(ValueError, match="precision"):
        export.to_tflite(models.build("tiny"), tmp_path / "t.tflite", "int4")
