"""probe refuses a clip whose stream declares a picture over the limit before decoding any frame."""

import gc
from pathlib import Path

import pytest

from ml import video_io
from tests.videos import large_mjpeg_avi

LIMIT = (3840, 2160)


def peak_mb_of(call) -> float:
    """MB of resident memory ``call()`` adds at its peak (VmHWM, reset through /proc/self/clear_refs)."""

    def status(field):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
        raise AssertionError(field)

    gc.collect()
    before = status("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")
    call()
    return status("VmHWM") - before


@pytest.fixture(scope="module")
def bomb(tmp_path_factory) -> Path:
    # 8000 x 8000: a 64 MB grey frame once decoded, in a file of under 2 MB.
    return large_mjpeg_avi(tmp_path_factory.mktemp("bomb") / "bomb.avi", 8000, 8000)


def test_it_refuses_the_declared_size_before_decoding_a_frame(bomb, monkeypatch):
    def no_decoding(*args):
        raise AssertionError("a frame was decoded")

    monkeypatch.setattr(video_io, "_first_frame_rotation", no_decoding)

    with pytest.raises(video_io.PictureTooLarge, match="8000 x 8000 pixels; the limit is 3840 x 2160"):
        video_io.probe(bomb, max_sides=LIMIT)


def test_refusing_a_picture_bomb_costs_no_frames_memory(bomb):
    def refuse():
        with pytest.raises(video_io.PictureTooLarge):
            video_io.probe(bomb, max_sides=LIMIT)

    refuse()  # FFmpeg's own one-off allocations, outside the measure
    assert peak_mb_of(refuse) < 20  # decoding one frame would take 64 MB


def test_within_the_limit_it_still_decodes_the_first_frame_for_its_rotation(tmp_path):
    clip = large_mjpeg_avi(tmp_path / "small.avi", 64, 48)

    info = video_io.probe(clip, max_sides=LIMIT)

    assert (info.width, info.height, info.pixel_format) == (64, 48, "gray")
