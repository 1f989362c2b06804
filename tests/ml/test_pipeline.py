import numpy as np
import pytest

import ml
from ml.pipeline import Face, InvalidImage, analyze_image


def test_a_photo_gives_its_face_with_seven_probabilities_summing_to_one(astronaut):
    timings = {}
    faces = analyze_image(astronaut, timings=timings)
    assert len(faces) == 1
    face = faces[0]
    assert isinstance(face, Face)
    assert all(isinstance(v, int) for v in face.box)
    assert set(face.probabilities) == set(ml.EMOTIONS)
    assert sum(face.probabilities.values()) == pytest.approx(1.0, abs=1e-6)
    assert face.emotion == max(face.probabilities, key=face.probabilities.get)
    assert face.confidence == face.probabilities[face.emotion]
    assert timings["detect_ms"] > 0 and timings["classify_ms"] > 0
    with pytest.raises(AttributeError):
        face.emotion = "happy"  # frozen


def test_a_grey_photo_gives_the_same_box(astronaut):
    import cv2

    grey = cv2.cvtColor(astronaut, cv2.COLOR_RGB2GRAY)
    assert [f.box for f in analyze_image(grey)] == [f.box for f in analyze_image(astronaut)]


def test_several_faces_are_all_found_left_to_right(astronaut):
    face = astronaut[40:260, 120:320]
    canvas = np.full((300, 900, 3), 90, np.uint8)
    for x in (20, 340, 660):
        canvas[40:260, x : x + 200] = face
    faces = analyze_image(canvas)
    assert len(faces) == 3
    assert [f.box[0] for f in faces] == sorted(f.box[0] for f in faces)


def test_no_face_is_an_empty_list():
    assert analyze_image(np.full((240, 320, 3), 200, np.uint8)) == []


@pytest.mark.parametrize(
    "bad",
    [
        np.zeros((64, 64, 3), np.float32),
        np.zeros((64, 64, 4), np.uint8),
        np.zeros((0, 64, 3), np.uint8),
        np.zeros((2, 64, 64, 3), np.uint8),
        "not an array",
    ],
)
def test_an_unusable_array_raises_invalid_image(bad):
    with pytest.raises(InvalidImage):
        analyze_image(bad)
