"""The accelerator's prepared run, at toy scale on this CPU: pack, train teachers and a distilled
student on Keras' JAX backend, and rebuild the student in TensorFlow for the LiteRT export."""

import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ml.evaluation import fer2013
from ml.training import accelerator, distill
from ml.training import model as models

ROOT = Path(__file__).resolve().parents[3]
pytest.importorskip("jax", reason="requirements-train.txt installs JAX (the accelerator's backend)")


def run(*args, timeout=600):
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**accelerator.child_env(0.5), "JAX_PLATFORMS": "cpu"},
    )


def accelerator_train(pack: Path, out: Path, work: Path, *args: str):
    """``python -m ml.training.accelerator train`` on ``pack`` for one epoch within 400 s."""
    common = ["--data", str(pack), "--out", str(out), "--work", str(work), "--epochs", "1", "--budget", "400"]
    return run("ml.training.accelerator", "train", *common, *args)


@pytest.fixture
def pack(synthetic_npz, tmp_path) -> Path:
    return Path(accelerator.pack(str(synthetic_npz), tmp_path / "pack.npz")["file"])


def test_packed_faces_decode_to_the_originals_within_jpeg_error(synthetic_npz, pack):
    x, y = fer2013.load_split(synthetic_npz, "train")
    packed = accelerator.load_pack(pack)

    assert packed["x_train"].shape == x.shape and packed["x_train"].dtype == np.uint8
    np.testing.assert_array_equal(packed["y_train"], y)
    assert np.abs(packed["x_train"].astype(int) - x).mean() < 4
    assert (packed["votes_train"] == -1).all()  # the synthetic set has no FER+ votes


def test_faces_packed_as_mosaics_decode_to_the_same_pixels_as_one_jpeg_per_face():
    from PIL import Image

    faces = np.random.default_rng(0).integers(0, 256, (accelerator.MOSAIC**2 + 44, 48, 48), dtype=np.uint8)
    one_by_one = []
    for face in faces:
        buf = io.BytesIO()
        Image.fromarray(face).save(buf, "JPEG", quality=90)
        one_by_one.append(np.asarray(Image.open(buf)))

    blob, offsets = accelerator.encode(faces, 90)

    assert len(offsets) == 3  # two mosaics, the second one part-filled
    np.testing.assert_array_equal(accelerator.decode(blob, offsets, len(faces)), np.stack(one_by_one))


def test_the_learning_rate_warms_up_then_decays_to_zero():
    rates = [distill.schedule(p, 0.1, 0.05) for p in np.linspace(0, 1, 101)]

    assert rates[0] == pytest.approx(0.01)
    assert max(rates) == pytest.approx(0.1, rel=0.02)
    assert rates[-1] == pytest.approx(0.0, abs=1e-12)
    assert rates[5:] == sorted(rates[5:], reverse=True)


def test_a_run_whose_budget_is_spent_ends_after_its_first_epoch_with_its_weights(pack, tmp_path):
    out = tmp_path / "t"
    done = run(
        "ml.training.distill",
        "teacher",
        "--data",
        str(pack),
        "--out",
        str(out),
        "--arch",
        "tiny",
        "--budget",
        "0.001",
        "--epochs",
        "50",
    )

    assert done.returncode == 0, done.stderr
    result = json.loads((out / "run.json").read_text())
    assert result["epochs"] == 1 and result["best_epoch"] == 1
    assert (out / "weights.npz").exists() and len((out / "history.csv").read_text().splitlines()) == 2


def test_teachers_and_a_distilled_student_train_end_to_end_and_rebuild_in_tensorflow(pack, tmp_path):
    out, work = tmp_path / "out", tmp_path / "work"
    done = accelerator_train(pack, out, work, "--teachers", "tiny:1,tiny:2", "--student", "tiny")

    assert done.returncode == 0, done.stderr + (out / "log.txt").read_text()
    files = sorted(p.name for p in out.iterdir())
    assert files == ["log.txt", "student.npz", "summary.json", "teacher-tiny-1.npz", "teacher-tiny-2.npz"]
    summary = json.loads((out / "summary.json").read_text())
    assert set(summary["runs"]) == {"student", "teacher-tiny-1", "teacher-tiny-2"}
    assert all(r["epochs"] == 1 for r in summary["runs"].values())
    assert summary["runs"]["student"]["recipe"]["teachers"] == [
        str(work / "teacher-tiny-1"),
        str(work / "teacher-tiny-2"),
    ]
    assert 0 <= summary["ensemble"]["val_accuracy"] <= 1

    parity = accelerator.backend_parity(out, "tiny", pack)

    assert parity["faces"] == 64
    assert parity["top1_agreement"] >= accelerator.PARITY_REQUIRED
    assert parity["max_abs_difference"] < 1e-4


def test_teachers_trained_in_one_call_are_distilled_into_a_student_by_the_next(pack, tmp_path):
    work = tmp_path / "work"
    first = accelerator_train(pack, tmp_path / "first", work, "--teachers", "tiny:1,tiny:2", "--stage", "teachers")

    assert first.returncode == 0, first.stderr
    assert sorted(p.name for p in (tmp_path / "first").iterdir()) == [
        "log.txt",
        "summary.json",
        "teacher-tiny-1.npz",
        "teacher-tiny-2.npz",
    ]

    second = accelerator_train(
        pack, tmp_path / "second", work, "--teachers", "tiny:1,tiny:2", "--student", "tiny", "--stage", "student"
    )

    assert second.returncode == 0, second.stderr
    summary = json.loads((tmp_path / "second" / "summary.json").read_text())
    assert summary["runs"]["student"]["recipe"]["teachers"] == [
        str(work / "teacher-tiny-1"),
        str(work / "teacher-tiny-2"),
    ]
    assert "start teacher" not in second.stderr  # the teachers were not trained again
    assert (tmp_path / "second" / "student.npz").exists() and 0 <= summary["ensemble"]["val_accuracy"] <= 1


def test_the_student_stage_without_trained_teachers_says_so_and_fails(pack, tmp_path):
    done = accelerator_train(pack, tmp_path / "out", tmp_path / "empty", "--teachers", "tiny:1", "--stage", "student")

    assert done.returncode == 1
    assert "no trained teachers" in done.stderr and "--stage teachers first" in done.stderr


def test_the_student_and_teacher_architectures_build_under_tensorflow_with_float32_outputs():
    for arch, params in (("student", 2_642_359), ("vgg", 4_693_575), ("resnet", 6_293_623)):
        net = models.build(arch)

        assert net.count_params() == params
        assert net.output_shape == (None, 7)
        assert net.layers[-1].dtype_policy.compute_dtype == "float32"


def test_teachers_that_fail_early_are_tried_once_more_in_float32_and_no_student_follows_none(pack, tmp_path):
    out, work = tmp_path / "out", tmp_path / "work"
    done = accelerator_train(pack, out, work, "--teachers", "nonexistent:1")

    assert done.returncode == 1  # no student
    assert "again in float32" in done.stderr
    assert "--precision float32" in done.stderr  # the second start's command line
    assert json.loads((out / "summary.json").read_text())["runs"] == {}
    assert sorted(p.name for p in out.iterdir()) == ["log.txt", "summary.json"]
