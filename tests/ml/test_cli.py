import json
import subprocess
import sys
from pathlib import Path

import numpy as np

import ml
from ml.summary import ROW_FIELDS, TRACK_FIELDS
from tests.videos import clip_file

ROOT = Path(__file__).resolve().parents[2]


def run(*args):
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_predict_prints_one_json_line_per_image_and_annotates(astronaut, tmp_path):
    from PIL import Image

    photo, blank, junk = tmp_path / "a.png", tmp_path / "b.jpg", tmp_path / "c.jpg"
    Image.fromarray(astronaut).save(photo)
    Image.new("RGB", (320, 240), "white").save(blank)
    junk.write_text("not an image")
    done = run("ml.predict", str(photo), str(blank), str(junk), "--annotate", str(tmp_path / "out.png"))
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert done.returncode == 1  # the junk file
    assert [len(r.get("faces", [])) for r in lines] == [1, 0, 0]
    assert lines[0]["model_version"] == ml.MODEL_VERSION
    assert set(lines[0]["faces"][0]["probabilities"]) == set(ml.EMOTIONS)
    assert "not a readable image" in lines[2]["error"]
    annotated = np.asarray(Image.open(tmp_path / "out_0.png"))
    assert annotated.shape == astronaut.shape and not np.array_equal(annotated, astronaut)


def test_evaluate_ends_stdout_with_one_json_object(synthetic_npz):
    done = run("ml.evaluate", "--data", str(synthetic_npz), "--split", "test", "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["n"] == 32
    assert 0 <= result["accuracy"] <= 1 and 0 <= result["macro_f1"] <= 1
    assert set(result["per_class"]) == set(ml.EMOTIONS)
    assert result["model_version"] == ml.MODEL_VERSION
    assert "accuracy=" in done.stdout  # the human-readable report comes first


def test_the_training_evaluate_draws_the_confusion_matrix_with_the_same_report(synthetic_npz, tmp_path):
    plot = tmp_path / "cm.png"
    done = run("ml.training.evaluate", "--data", str(synthetic_npz), "--split", "test", "--json", "--plot", str(plot))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1])["n"] == 32
    assert plot.stat().st_size > 1000


def test_evaluate_refuses_keras_weights_with_a_pointer_to_the_training_evaluate(synthetic_npz, tmp_path):
    done = run("ml.evaluate", "--data", str(synthetic_npz), "--weights", str(tmp_path / "w.weights.h5"))
    assert done.returncode != 0
    assert "ml.training.evaluate" in done.stderr


def test_the_command_line_prints_a_clips_tracks_and_rows(tmp_path, capsys):
    from ml.predict import main

    path = clip_file(tmp_path, seconds=1)

    assert main([str(path)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["people"] == 1
    assert tuple(result["tracks"][0]) == TRACK_FIELDS
    assert tuple(result["rows"][0]) == ROW_FIELDS
