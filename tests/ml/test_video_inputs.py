"""ml.video.analyze_video takes what its caller has: the clip's probe, a classifier, a poster callback."""

import numpy as np
import pytest

import ml
from ml import video, video_io
from ml.video import analyze_video
from tests.videos import clip_file


class AlwaysHappy:
    def __init__(self):
        self.faces = 0

    def predict(self, faces):
        self.faces += len(faces)
        probs = np.full((len(faces), len(ml.EMOTIONS)), 0.01, np.float32)
        probs[:, ml.EMOTIONS.index("happy")] = 0.94
        return probs


def test_it_classifies_with_the_classifier_it_is_given(tmp_path):
    classifier = AlwaysHappy()

    rows = [row for chunk in analyze_video(clip_file(tmp_path, seconds=1), classifier=classifier) for row in chunk.rows]

    faces = [row for row in rows if row.box is not None]
    assert len(faces) == classifier.faces == 5
    assert {row.emotion for row in faces} == {"happy"}


def test_given_the_probe_it_does_not_probe_again(tmp_path, monkeypatch):
    path = clip_file(tmp_path, seconds=1)
    info = video_io.probe(path)

    def no_probe(source):
        raise AssertionError("probed again")

    monkeypatch.setattr(video_io, "probe", no_probe)
    monkeypatch.setattr(video, "probe", no_probe)
    rows = [row for chunk in analyze_video(path, info=info, classifier=AlwaysHappy()) for row in chunk.rows]

    assert len(rows) == 5


def test_the_poster_comes_from_the_same_decoding_pass(tmp_path):
    path = clip_file(tmp_path, seconds=1)
    posters = []

    chunks = analyze_video(path, classifier=AlwaysHappy(), on_poster=posters.append, poster_side=320)
    list(chunks)

    (poster,) = posters
    assert poster.shape == (180, 320, 3) and poster.dtype == np.uint8
    assert np.array_equal(poster, video_io.poster(path, max_side=320))


def test_the_probe_says_whether_browsers_play_the_clip_as_it_is(tmp_path):
    from tests.videos import faststart_h264

    mpeg4 = clip_file(tmp_path, seconds=1)
    h264 = faststart_h264(mpeg4, tmp_path / "h264.mp4")

    assert not video_io.probe(mpeg4).plays_in_browsers
    assert video_io.probe(h264).plays_in_browsers


@pytest.mark.parametrize("name", ["probe", "Summary", "Row", "Budget", "InvalidVideo", "poster", "ROW_FIELDS"])
def test_the_old_ml_video_names_still_work(name):
    assert getattr(video, name) is not None


def test_with_the_probe_the_poster_the_playable_copy_and_the_rows_come_from_one_opening(tmp_path, monkeypatch):
    from ml.annotate_video import Mp4Writer

    path = clip_file(tmp_path, "clip.avi", fourcc="MJPG", seconds=1)
    info = video_io.probe(path)
    opened = []
    real_open = video_io.open_clip
    monkeypatch.setattr(video_io, "open_clip", lambda source: opened.append(source) or real_open(source))
    posters = []

    with Mp4Writer(tmp_path / "play.mp4", info.width, info.height) as writer:
        chunks = analyze_video(
            path, info=info, classifier=AlwaysHappy(), on_frame=writer.write, on_poster=posters.append
        )
        rows = [row for chunk in chunks for row in chunk.rows]

    assert opened == [path]
    assert len(posters) == 1 and len(rows) == 5
    assert video_io.probe(tmp_path / "play.mp4").frame_count == 10
