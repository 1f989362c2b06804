"""ml.video_io probing and decoding: containers, budgets, truncated and damaged clips."""

import pytest

from ml import video_io
from tests.photos import astronaut, encode
from tests.videos import clip_file, faststart_h264, truncated


def test_it_probes_an_mp4_and_an_avi(tmp_path):
    mp4 = video_io.probe(clip_file(tmp_path, seconds=2))
    avi = video_io.probe(clip_file(tmp_path, "clip.avi", fourcc="MJPG", seconds=1))

    assert (mp4.container, mp4.width, mp4.height, mp4.fps, mp4.frame_count) == ("mp4", 640, 360, 10.0, 20)
    assert mp4.duration_ms == 2000
    assert (avi.container, avi.codec) == ("avi", "mjpeg")


def test_it_rejects_files_that_are_not_clips(tmp_path):
    image = tmp_path / "photo.mp4"
    image.write_bytes(encode(astronaut()))
    text = tmp_path / "notes.mp4"
    text.write_bytes(b"hello " * 1000)

    for path in (image, text):
        with pytest.raises(video_io.InvalidVideo):
            video_io.probe(path)


def test_a_truncated_mp4_probes_but_fails_while_decoding(tmp_path):
    whole = faststart_h264(clip_file(tmp_path, seconds=2), tmp_path / "h264.mp4")
    cut = truncated(whole, tmp_path / "cut.mp4", keep=0.5)

    assert video_io.probe(cut).duration_ms == 2000
    with pytest.raises(video_io.BrokenVideo):
        list(video_io.decode(cut))


def test_the_decoder_enforces_the_frame_budget(tmp_path):
    path = clip_file(tmp_path, seconds=2)

    with pytest.raises(video_io.OverBudget, match="more than 15 frames"):
        list(video_io.decode(path, budget=video_io.Budget(max_frames=15)))
    with pytest.raises(video_io.OverBudget, match="longer than"):
        list(video_io.decode(path, budget=video_io.Budget(max_duration_ms=1000)))


def test_decoding_streams_and_converts_only_sampled_frames(tmp_path):
    path = clip_file(tmp_path, seconds=2)

    frames = list(video_io.decode(path, sample_fps=2.0))

    assert len(frames) == 20
    sampled = [(index, grey.shape, grey.dtype.name) for index, _, grey in frames if grey is not None]
    assert sampled == [(i, (360, 640), "uint8") for i in (0, 5, 10, 15)]


def test_the_poster_is_a_small_rgb_first_frame(tmp_path):
    poster = video_io.poster(clip_file(tmp_path, seconds=1), max_side=320)

    assert poster.shape == (180, 320, 3) and poster.dtype.name == "uint8"
