import json

import numpy as np
import pytest

from ml.training import average, train


def test_averaged_weights_are_the_element_wise_mean_of_the_inputs():
    a = [np.array([[1.0, 2.0]], dtype=np.float32), np.array([0.0], dtype=np.float32)]
    b = [np.array([[3.0, 6.0]], dtype=np.float32), np.array([1.0], dtype=np.float32)]
    mean = average.average_weights([a, b])
    np.testing.assert_allclose(mean[0], [[2.0, 4.0]])
    np.testing.assert_allclose(mean[1], [0.5])
    assert mean[0].dtype == np.float32


def test_averaging_networks_of_different_shapes_is_refused():
    with pytest.raises(ValueError, match="architecture"):
        average.average_weights([[np.zeros((2, 2))], [np.zeros((3, 2))]])


def test_kept_epochs_average_into_a_scored_network_of_the_same_shape(synthetic_npz, tmp_path, capsys):
    run = tmp_path / "run"
    common = ["--data", str(synthetic_npz), "--arch", "tiny", "--batch-size", "64", "--out", str(run)]
    assert train.main([*common, "--epochs", "2", "--keep-epochs"]) == 0
    kept = sorted((run / "epochs").glob("epoch-*.weights.h5"))
    assert [p.name for p in kept] == ["epoch-01.weights.h5", "epoch-02.weights.h5"]
    capsys.readouterr()

    out = tmp_path / "mean.weights.h5"
    args = ["--arch", "tiny", "--data", str(synthetic_npz), "--out", str(out)]
    assert average.main([*map(str, kept), *args]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out.exists()
    assert [row["weights"] for row in summary["inputs"]] == [str(p) for p in kept]
    assert 0.0 <= summary["val_accuracy"] <= 1.0 and 0.0 <= summary["val_macro_f1"] <= 1.0
