import csv
import json

import numpy as np
import pytest

from ml.evaluation import fer2013
from ml.faces import to_model_input
from ml.training import data, train
from ml.training import model as models


def test_a_few_training_steps_lower_the_loss(synthetic_npz):
    import keras

    keras.utils.set_random_seed(0)
    x, y = fer2013.load_split(synthetic_npz, "train")
    net = models.build("reference")
    net.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy")
    inputs = to_model_input(x[:64])
    before = net.evaluate(inputs, y[:64], verbose=0)
    for _ in range(8):
        net.train_on_batch(inputs, y[:64])
    after = net.evaluate(inputs, y[:64], verbose=0)
    assert after < before * 0.8


def test_resume_continues_from_the_saved_epoch(synthetic_npz, tmp_path):
    out = tmp_path / "run"
    common = ["--data", str(synthetic_npz), "--arch", "tiny", "--batch-size", "64", "--out", str(out)]
    assert train.main([*common, "--epochs", "3"]) == 0
    state = json.loads((out / "state.json").read_text())
    assert state["epochs_done"] == 3

    # Pretend the run was stopped after epoch 2, then resume it: it must do epoch 3 only.
    (out / "state.json").write_text(json.dumps({**state, "epochs_done": 2}))
    rows = list(csv.DictReader((out / "history.csv").open()))
    with (out / "history.csv").open("w", newline="") as f:
        w = csv.DictWriter(f, train.HISTORY_FIELDS)
        w.writeheader()
        w.writerows(rows[:2])
    assert train.main([*common, "--epochs", "3", "--resume"]) == 0
    rows = list(csv.DictReader((out / "history.csv").open()))
    assert [int(r["epoch"]) for r in rows] == [1, 2, 3]
    assert json.loads((out / "state.json").read_text())["epochs_done"] == 3
    assert (out / "best.weights.h5").exists() and (out / "last.keras").exists()


def test_resume_without_a_checkpoint_starts_from_the_given_weights(synthetic_npz, tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    common = ["--data", str(synthetic_npz), "--arch", "tiny", "--batch-size", "64"]
    train.main([*common, "--epochs", "2", "--out", str(first)])
    best = json.loads((first / "best.json").read_text())["val_accuracy"]
    train.main(
        [*common, "--epochs", "1", "--out", str(second), "--resume", "--init-weights", str(first / "best.weights.h5")]
    )
    state = json.loads((second / "state.json").read_text())
    # The starting weights are scored first, so only a better epoch replaces them as best.
    assert state["best_val_accuracy"] >= best


def test_class_weights_lift_rare_classes_and_average_one_per_sample():
    labels = np.array([0] * 90 + [1] * 10)
    w = data.class_weights(labels, power=0.5)
    assert w[1] > w[0]
    assert np.isclose(w[labels].mean(), 1.0)
    assert np.allclose(data.class_weights(labels, power=0.0)[:2], 1.0)


def test_resume_with_more_epochs_stretches_the_schedule(synthetic_npz, tmp_path):
    import keras

    out = tmp_path / "run"
    common = ["--data", str(synthetic_npz), "--arch", "tiny", "--batch-size", "64", "--out", str(out)]
    train.main([*common, "--epochs", "2"])
    rows = list(csv.DictReader((out / "history.csv").open()))
    assert float(rows[-1]["lr"]) == 0.0  # a finished cosine schedule
    train.main([*common, "--epochs", "4", "--resume"])
    rows = list(csv.DictReader((out / "history.csv").open()))
    assert [int(r["epoch"]) for r in rows] == [1, 2, 3, 4]
    assert float(rows[2]["lr"]) > 0.0 and float(rows[3]["lr"]) == 0.0
    saved = keras.models.load_model(out / "last.keras")
    assert int(saved.optimizer.iterations.numpy()) == 4 * 4  # 256 faces / 64 per batch, 4 epochs


def test_batchnorm_recalibration_records_the_statistics_of_the_data_without_dropout(synthetic_npz):
    import keras

    from tests.ml.conftest import synthetic_faces

    x, _ = synthetic_faces(512, seed=3)
    net = models.build("reference")
    bn = net.get_layer("conv1_bn")
    # Zero start (instead of the initial variance of 1), so no residue of it hides in the result.
    bn.moving_variance.assign(np.zeros(64, np.float32))
    train.recalibrate_batchnorm(net, x, seed=0, batches=25, batch_size=16)
    conv1 = keras.Model(net.input, net.get_layer("conv1").output)(to_model_input(x)).numpy()
    np.testing.assert_allclose(bn.moving_mean.numpy(), conv1.mean(axis=(0, 1, 2)), rtol=0.05, atol=1e-3)
    np.testing.assert_allclose(bn.moving_variance.numpy(), conv1.var(axis=(0, 1, 2)), rtol=0.15, atol=1e-3)
    assert [layer.rate for layer in net.layers if isinstance(layer, keras.layers.Dropout)] == [0.25] * 6


def test_soft_targets_mix_the_fer2013_label_with_the_ferplus_votes_and_keep_its_top_class():
    labels = np.array([4, 2, 6])
    votes = np.full((3, 10), -1, np.int8)
    votes[0] = [6, 0, 0, 4, 0, 0, 0, 0, 0, 0]  # 6 neutral, 4 sadness
    votes[1] = [0, 0, 0, 0, 0, 0, 0, 3, 7, 0]  # contempt and unknown only: no FER class
    targets = data.soft_targets(labels, votes, mix=0.7)
    assert targets[0] == pytest.approx([0, 0, 0, 0, 0.7 + 0.3 * 0.4, 0, 0.3 * 0.6])
    assert targets[1].tolist() == np.eye(7)[2].tolist()  # unusable votes: the label alone
    assert targets[2].tolist() == np.eye(7)[6].tolist()  # not aligned (-1)
    assert (targets.argmax(1) == labels).all()
    assert data.soft_targets(labels, votes, mix=1.0).tolist() == np.eye(7)[labels].tolist()


@pytest.fixture
def float32_policy_afterwards():
    """``train.main --precision`` sets Keras' process-wide dtype policy; later tests expect float32."""
    import keras

    yield
    keras.mixed_precision.set_global_policy("float32")


def exported_tiny(path, seed):
    import keras

    from ml.training import export

    keras.utils.set_random_seed(seed)
    export.to_tflite(models.build("tiny"), path)
    return path


def test_teacher_probabilities_weight_each_teacher_and_treat_a_face_and_its_mirror_alike(synthetic_npz, tmp_path):
    from ml.classify import Classifier

    x, _ = fer2013.load_split(synthetic_npz, "val")
    a, b = exported_tiny(tmp_path / "a.tflite", 1), exported_tiny(tmp_path / "b.tflite", 2)
    only_a = data.teacher_probabilities(x, [a, b], [1.0, 0.0])
    np.testing.assert_allclose(only_a, Classifier(a).predict(x, tta=True), atol=1e-6)
    mixed = data.teacher_probabilities(x, [a, b], [3.0, 1.0])
    np.testing.assert_allclose(mixed, 0.75 * only_a + 0.25 * data.teacher_probabilities(x, [b]), atol=1e-6)
    np.testing.assert_allclose(mixed.sum(axis=1), 1.0, atol=1e-5)
    mirrored = data.teacher_probabilities(x[:, :, ::-1].copy(), [a, b])
    np.testing.assert_allclose(mirrored, data.teacher_probabilities(x, [a, b]), atol=1e-6)
    with pytest.raises(ValueError, match="one non-negative weight per teacher"):
        data.teacher_probabilities(x, [a, b], [1.0])


def test_training_can_learn_from_exported_teachers_in_bfloat16_and_saves_float32_weights(
    synthetic_npz, tmp_path, float32_policy_afterwards
):
    import keras

    teacher = exported_tiny(tmp_path / "t.tflite", 1)
    out = tmp_path / "run"
    argv = ["--data", str(synthetic_npz), "--arch", "tiny", "--batch-size", "64", "--epochs", "1", "--out", str(out)]
    assert train.main([*argv, "--teachers", str(teacher), "--teacher-mix", "0.5", "--precision", "mixed_bfloat16"]) == 0
    assert keras.mixed_precision.global_policy().name == "mixed_bfloat16"
    keras.mixed_precision.set_global_policy("float32")
    net = models.build("tiny")
    net.load_weights(out / "best.weights.h5")
    assert all(w.dtype == np.float32 for w in net.get_weights())
    assert json.loads((out / "state.json").read_text())["args"]["teachers"] == [str(teacher)]
