"""The served crop frames a face the way FER2013 framed the faces the network was trained on."""

import numpy as np
import pytest

from ml.detect import crop_faces, detect_faces
from ml.evaluation import fer2013
from ml.training import data, geometry


def test_the_served_frame_around_a_cascade_box_is_the_fer2013_frame_on_median(fer_data):
    faces, _ = fer2013.load_split(fer_data, "val")
    sizes, offsets = [], []
    for face in faces[-300:]:  # other faces than the measurement test's
        grey, (left, top, side) = geometry.place(face)
        boxes = detect_faces(grey)
        if len(boxes) != 1:
            continue
        s_left, s_top, s_side = geometry.SERVED.frame(boxes[0])
        sizes.append(s_side / side)
        offsets.append(((s_left - left) / side, (s_top - top) / side))
    assert len(sizes) > 150
    assert np.median(sizes) == pytest.approx(1.0, abs=0.04)
    assert np.median(offsets, axis=0) == pytest.approx([0.0, 0.0], abs=0.03)


def test_crop_faces_serves_the_measured_geometry(astronaut):
    from ml.pipeline import to_grey

    grey = to_grey(astronaut)
    box = detect_faces(grey)[0]
    np.testing.assert_array_equal(crop_faces(grey, [box]), crop_faces(grey, [box], geometry.SERVED))
    assert not np.array_equal(crop_faces(grey, [box]), crop_faces(grey, [box], geometry.FrameGeometry(1.2, 0, 0)))


def test_a_new_measurement_agrees_with_the_served_geometry_and_the_training_jitter(fer_data):
    faces, _ = fer2013.load_split(fer_data, "val")
    summary = geometry.summarise(geometry.measure(faces[:800]))
    measured = summary["geometry"]
    assert measured["scale"] == pytest.approx(geometry.SERVED.scale, abs=0.03)
    assert measured["dx"] == pytest.approx(geometry.SERVED.dx, abs=0.02)
    assert measured["dy"] == pytest.approx(geometry.SERVED.dy, abs=0.02)
    assert summary["jitter"]["scale"] == pytest.approx(geometry.JITTER.scale, abs=0.05)
    assert summary["jitter"]["shift"] == pytest.approx(geometry.JITTER.shift, abs=0.02)


def test_training_jitters_the_frame_by_the_measured_amount():
    assert data.AUGMENT["zoom"] == geometry.JITTER.scale
    assert data.AUGMENT["shift"] == geometry.JITTER.shift


def test_a_frame_is_a_square_around_the_shifted_centre_of_the_box():
    g = geometry.FrameGeometry(scale=1.5, dx=0.1, dy=-0.2)
    left, top, side = g.frame((100, 200, 40, 40))
    assert side == 60
    assert (left + side / 2, top + side / 2) == pytest.approx((124, 212))
