"""ml.video.analyze_video on clips of real faces moving across the frame: tracks, timestamps, faceless frames."""

import ml
from ml.summary import ROW_FIELDS, TRACK_FIELDS, Summary
from ml.video import analyze_video
from tests.videos import clip_file


def _analyse(path, **kwargs):
    summary, rows = Summary(), []
    for chunk in analyze_video(path, **kwargs):
        summary.add(chunk.rows)
        rows += chunk.rows
    return rows, summary


def test_two_faces_crossing_paths_keep_their_tracks(tmp_path):
    path = clip_file(tmp_path, crossing=True, seconds=3)

    rows, summary = _analyse(path)

    faces = [row for row in rows if row.track is not None]
    assert {row.track for row in faces} == {1, 2}
    # Track 1 starts top left and moves right; track 2 starts bottom right and moves left. After
    # the crossing each must still be the same head, so x keeps moving the same way along a track.
    for number, direction in ((1, 1), (2, -1)):
        xs = [row.box[0] for row in faces if row.track == number]
        assert len(xs) >= 10
        assert all(direction * (b - a) > 0 for a, b in zip(xs, xs[1:])), (number, xs)
    assert summary.clip()["people"] == 2


def test_timestamps_follow_the_frame_rate_and_the_sampling(tmp_path):
    path = clip_file(tmp_path, fps=20.0, seconds=2)

    rows, _ = _analyse(path, sample_fps=5.0)
    every, _ = _analyse(path, sample_fps=None)

    frames = sorted({(row.frame, row.timestamp_ms) for row in rows})
    assert [frame for frame, _ in frames] == list(range(0, 40, 4))
    assert all(ms == frame * 50 for frame, ms in frames)
    assert sorted({row.frame for row in every}) == list(range(40))


def test_frames_without_a_face_get_a_row_of_their_own(tmp_path):
    path = clip_file(tmp_path, seconds=1, blank_seconds=1)

    rows, _ = _analyse(path)

    blank = [row for row in rows if row.timestamp_ms >= 1000]
    assert len(blank) == 5
    assert all(row.track is None and row.box is None and row.emotion == "" for row in blank)
    assert set(blank[0].as_dict()) == set(ROW_FIELDS)


def test_track_summaries_have_the_documented_fields(tmp_path):
    path = clip_file(tmp_path, seconds=2)

    rows, summary = _analyse(path)

    (track,) = summary.tracks()
    assert tuple(track) == TRACK_FIELDS
    assert track["first_timestamp_ms"] == 0 and track["last_timestamp_ms"] == 1800
    assert track["dominant_emotion"] in ml.EMOTIONS
    assert abs(sum(track["shares"].values()) - 1) < 1e-9
    assert all(abs(sum(row.probabilities.values()) - 1) < 1e-6 for row in rows if row.track)


def test_progress_comes_in_chunks_that_reach_one(tmp_path):
    path = clip_file(tmp_path, seconds=2)

    chunks = list(analyze_video(path, flush_seconds=0))

    fractions = [chunk.fraction for chunk in chunks]
    assert len(chunks) >= 10
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert sum(len(chunk.rows) for chunk in chunks) == 10


def test_a_face_seen_in_one_sampled_frame_only_is_not_a_person(tmp_path):
    import numpy as np

    from tests.videos import _head, write_clip

    head = _head()
    hh, hw = head.shape[:2]

    def frames():
        # 3 s at 10 fps: a head flashes up on the right in frame 0 only (as a false alarm on a
        # texture would); another sits on the left from frame 4 to the end.
        for i in range(30):
            canvas = np.full((360, 640, 3), 128, np.uint8)
            if i == 0:
                canvas[20 : 20 + hh, 600 - hw : 600] = head
            if i >= 4:
                canvas[20 : 20 + hh, 40 : 40 + hw] = head
            yield canvas

    rows, summary = _analyse(write_clip(tmp_path / "flash.mp4", frames()))

    first = [row for row in rows if row.frame == 0]
    assert len(first) == 1 and first[0].track is None  # the frame stays, without a face
    # The left head is found by the next whole-frame search (at 1 s at the latest), then followed.
    assert {row.track for row in rows if row.box is not None} == {1}  # numbered from 1 all the same
    assert {row.track for row in rows if row.frame >= 10} == {1}
    assert summary.clip()["people"] == 1
