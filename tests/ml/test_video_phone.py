"""Phone clips: pictures stored sideways with a display rotation are described, analysed and copied
upright, as a player shows them."""

import numpy as np

from ml.annotate_video import Mp4Writer, annotate_clip
from ml.video import analyze_video
from ml.video_io import decode, poster, probe
from tests.videos import moving_faces, phone_clip

PORTRAIT = (360, 640)  # width, height as shown


def _phone_clip(tmp_path, rotation=90):
    frames = list(moving_faces(seconds=1, size=PORTRAIT))
    return frames, phone_clip(tmp_path / f"phone-{rotation}.mp4", frames, rotation=rotation)


def test_a_phone_clip_is_described_as_shown(tmp_path):
    _, path = _phone_clip(tmp_path)

    info = probe(path)

    assert (info.width, info.height, info.rotation) == (*PORTRAIT, 90)


def test_its_frames_are_decoded_upright(tmp_path):
    import cv2

    for rotation in (90, 270):
        frames, path = _phone_clip(tmp_path, rotation)

        _, _, grey = next(decode(path, sample_fps=None))

        expected = cv2.cvtColor(frames[0], cv2.COLOR_RGB2GRAY).astype(int)
        assert grey.shape == expected.shape
        assert np.abs(grey - expected).mean() < 3, rotation


def test_its_faces_are_found_with_boxes_in_the_upright_picture(tmp_path):
    _, path = _phone_clip(tmp_path)

    rows = [row for chunk in analyze_video(path) for row in chunk.rows]

    faces = [row for row in rows if row.box is not None]
    # A sideways face is invisible to the frontal cascade: finding it means it was turned upright.
    assert len(faces) == len(rows) == 5
    width, height = PORTRAIT
    assert all(x + w <= width and y + h <= height for x, y, w, h in (row.box for row in faces))


def test_its_playable_and_annotated_copies_are_upright(tmp_path):
    _, path = _phone_clip(tmp_path)
    info = probe(path)

    with Mp4Writer(tmp_path / "play.mp4", info.width, info.height) as writer:
        rows = [row for chunk in analyze_video(path, on_frame=writer.write) for row in chunk.rows]
    annotate_clip(path, tmp_path / "annotated.mp4", rows)

    for copy in (probe(tmp_path / "play.mp4"), probe(tmp_path / "annotated.mp4")):
        assert (copy.width, copy.height, copy.rotation) == (*PORTRAIT, 0)


def test_its_poster_is_upright(tmp_path):
    _, path = _phone_clip(tmp_path)

    height, width, _ = poster(path, max_side=320).shape

    assert (width, height) == (180, 320)
