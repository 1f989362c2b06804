"""`python -m ml.evaluate --photos DIR` scores whole photos through the product path."""

import csv
import json

import numpy as np
import pytest
from PIL import Image

from ml import EMOTIONS
from ml.evaluation import metrics, photoset
from tests.ml.test_cli import run


def labelled_folder(tmp_path, astronaut):
    folder = tmp_path / "photos"
    (folder / "happy").mkdir(parents=True)
    Image.fromarray(astronaut).save(folder / "happy" / "a.jpg")
    Image.new("RGB", (256, 256), "white").save(folder / "happy" / "blank.jpg")
    Image.fromarray(astronaut[:, ::-1]).save(folder / "happy" / "mirror.png")
    rows = [
        ("happy/a.jpg", 3, "happy", "s1", "theatric"),
        ("happy/blank.jpg", 3, "happy", "s1", "theatric"),
        ("happy/mirror.png", 3, "happy", "s2", "Ekman FACS"),
    ]
    with (folder / "labels.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["file", "label_index", "label_name", "subject", "performance"])
        w.writerows(rows)
    return folder


def test_it_scores_the_largest_face_of_each_photo_and_counts_a_missed_face_as_wrong(tmp_path, astronaut):
    from ml.pipeline import analyze_image

    folder = labelled_folder(tmp_path, astronaut)
    done = run("ml.evaluate", "--photos", str(folder), "--json")
    assert done.returncode == 0, done.stderr
    rep = json.loads(done.stdout.strip().splitlines()[-1])
    assert rep["n"] == 3 and rep["detection_rate"] == 1 / 3 * 2
    assert rep["missed"]["happy"] == 1
    expected = [
        EMOTIONS.index(analyze_image(astronaut)[0].emotion),
        EMOTIONS.index(analyze_image(astronaut[:, ::-1])[0].emotion),
    ]
    assert rep["accuracy"] == sum(k == 3 for k in expected) / 3
    assert set(rep["per_subject"]) == {"s1", "s2"} and rep["per_subject"]["s1"]["n"] == 2
    assert set(rep["per_performance"]) == {"theatric", "Ekman FACS"}
    assert "macro_f1" in rep and "accuracy per subject" in done.stdout


def test_a_photo_without_a_face_counts_in_support_but_in_no_column():
    rep = metrics.report(np.array([3, 3, 4]), np.array([3, photoset.NO_FACE, 3]))
    assert rep["n"] == 3 and rep["accuracy"] == 1 / 3
    assert rep["per_class"]["happy"]["recall"] == 0.5 and rep["per_class"]["happy"]["precision"] == 0.5
    assert sum(map(sum, rep["confusion_matrix"])) == 2


def test_a_labels_file_without_the_needed_columns_is_refused(tmp_path):
    (tmp_path / "labels.csv").write_text("name,emotion\na.jpg,happy\n")
    with pytest.raises(ValueError, match="label_index"):
        photoset.read_labels(tmp_path)
