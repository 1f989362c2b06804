"""ml.anonymize: a strong Gaussian blur over each face box grown by 20%, in a picture and in every frame
of a clip (boxes followed between sampled frames)."""

import numpy as np

from ml.anonymize import Blur, TrackBoxes, anonymize_clip, blur_faces, grown_box
from ml.detect import detect_faces
from ml.pipeline import to_grey
from ml.summary import Row
from ml.video_io import frames, probe, upright_rgb
from tests.photos import astronaut
from tests.videos import clip_file

PROBS = {"happy": 0.9, "sad": 0.1}


def detail(pixels: np.ndarray) -> float:
    """The variance of the Laplacian: how much fine detail (edges, features) a picture has."""
    import cv2

    return float(cv2.Laplacian(cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY), cv2.CV_64F).var())


def row(frame: int, box, track: int = 0) -> Row:
    return Row(frame, frame * 100, track, box, PROBS, "happy")


def test_the_box_grows_by_a_fifth_on_each_side_within_the_picture():
    assert grown_box((100, 100, 50, 100), 1000, 1000) == (90, 80, 160, 220)
    assert grown_box((0, 0, 50, 50), 55, 55) == (0, 0, 55, 55)


def test_the_face_is_blurred_beyond_detection_and_nothing_outside_the_grown_box_changes():
    image = astronaut()
    (box,) = detect_faces(to_grey(image))[:1]

    out = blur_faces(image, [box])

    x0, y0, x1, y1 = grown_box(box, image.shape[1], image.shape[0])
    assert detail(out[y0:y1, x0:x1]) < 0.05 * detail(image[y0:y1, x0:x1])
    outside = np.ones(image.shape[:2], bool)
    outside[y0:y1, x0:x1] = False
    assert np.array_equal(out[outside], image[outside])
    assert detect_faces(to_grey(out)) == []
    assert out.dtype == np.uint8 and out.shape == image.shape


def test_a_label_is_drawn_on_the_blurred_face_when_asked():
    image = astronaut()
    (box,) = detect_faces(to_grey(image))[:1]

    plain, labelled = blur_faces(image, [box]), blur_faces(image, [Blur(tuple(box), "happy 90%")])

    assert not np.array_equal(plain, labelled)


def test_a_tracks_box_is_interpolated_between_its_samples():
    boxes = TrackBoxes([row(0, (0, 0, 10, 10)), row(5, (50, 0, 10, 10)), row(10, (100, 0, 10, 10))])

    assert [blur.box for blur in boxes.at(5)] == [(50, 0, 10, 10)]
    assert [blur.box for blur in boxes.at(7)] == [(70, 0, 10, 10)]


def test_a_tracks_box_is_held_one_interval_around_its_first_and_last_samples():
    boxes = TrackBoxes([row(10, (0, 0, 10, 10)), row(15, (0, 0, 10, 10)), row(20, (0, 0, 10, 10)), row(25, None, None)])

    assert len(boxes.at(6)) == 1 and len(boxes.at(24)) == 1
    assert boxes.at(3) == [] and boxes.at(27) == []


def test_two_tracks_are_both_blurred():
    boxes = TrackBoxes([row(0, (0, 0, 10, 10), 0), row(0, (50, 50, 10, 10), 1), row(4, (0, 0, 10, 10), 0)])

    assert len(boxes.at(2)) == 2


def test_every_frame_of_a_clip_is_blurred_where_the_face_moves_between_samples(tmp_path):
    source = clip_file(tmp_path, seconds=1)
    info = probe(source)
    # Samples every 4th frame; the clip's own moving face is where tests/videos draws it, so take the
    # boxes from the detector on those frames as the analysis would.
    rows = []
    originals = {}
    for index, _, frame in frames(source, info=info):
        rgb = upright_rgb(frame, info.rotation)
        originals[index] = rgb
        if index % 4 == 0:
            found = detect_faces(to_grey(rgb))
            rows += [row(index, tuple(found[0]))] if found else [Row(index, 0, None, None, None, "")]
    assert any(r.box for r in rows)

    written = anonymize_clip(source, tmp_path / "blurred.mp4", rows, info=info)

    assert written == info.frame_count
    copy = probe(tmp_path / "blurred.mp4")
    assert (copy.container, copy.codec, copy.frame_count) == ("mp4", "h264", info.frame_count)
    for index, _, frame in frames(tmp_path / "blurred.mp4"):
        assert detect_faces(to_grey(upright_rgb(frame, 0))) == [], f"a face is visible in frame {index}"
