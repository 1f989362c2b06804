"""Browser-playable and annotated MP4 copies of a clip, encoded with the libx264 in PyAV's wheel.

Browsers play H.264 in MP4 everywhere, and no AVI and little MOV, so every clip gets an H.264 copy
(yuv420p, even sides, index first for progressive playback). Frames given to ``Mp4Writer.write``
are av.VideoFrame objects or uint8 RGB (H, W, 3) arrays.
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Self

import numpy as np

from ml.draw import draw_faces
from ml.summary import Row
from ml.video_io import InvalidVideo, VideoInfo, frames, probe, upright_rgb

if TYPE_CHECKING:
    from av import VideoFrame

# The copy is for watching the result in a page, not for archiving: 720p holds any face a viewer
# needs to see, and "veryfast" at CRF 26 keeps the encode a small part of the analysis time.
PLAYABLE_MAX_SIDE = 1280
PRESET = "veryfast"
CRF = 26


def _even(value: float) -> int:
    return max(2, int(round(value / 2)) * 2)


class Mp4Writer:
    """H.264 MP4 at ``path``; frames are timed by the millisecond stamps given to ``write``."""

    def __init__(self, path: str | Path, width: int, height: int, max_side: int = PLAYABLE_MAX_SIDE):
        import av

        scale = min(1.0, max_side / max(width, height))
        self.width, self.height = _even(width * scale), _even(height * scale)
        self.container = av.open(str(path), "w", format="mp4", options={"movflags": "+faststart"})
        self.stream = self.container.add_stream("libx264", rate=1000)
        self.stream.width, self.stream.height, self.stream.pix_fmt = self.width, self.height, "yuv420p"
        self.stream.codec_context.time_base = Fraction(1, 1000)
        self.stream.options = {"preset": PRESET, "crf": str(CRF)}
        self.last_pts = -1

    def write(self, frame: VideoFrame | np.ndarray, timestamp_ms: int) -> None:
        import av

        if isinstance(frame, np.ndarray):
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(frame), format="rgb24")
        frame = frame.reformat(width=self.width, height=self.height, format="yuv420p")
        # Strictly increasing stamps: a variable-rate clip can repeat a millisecond.
        pts = max(int(timestamp_ms), self.last_pts + 1)
        frame.pts, frame.time_base = pts, Fraction(1, 1000)
        self.last_pts = pts
        for packet in self.stream.encode(frame):
            self.container.mux(packet)

    def close(self) -> None:
        for packet in self.stream.encode():
            self.container.mux(packet)
        self.container.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *exc_info: object) -> None:
        if exc_type is None:
            self.close()
        else:
            self.container.close()


def annotate_clip(source: str | Path, target: str | Path, rows: Iterable[Row], *, info: VideoInfo | None = None) -> int:
    """Write ``target``: ``source`` with the boxes and labels of ``rows`` (in frame order) burnt in.

    ``info`` is the clip's probe, when the caller has it. Between sampled frames the latest sampled
    frame's boxes stay on screen. Returns frames written.
    """
    info = info or probe(source)
    rows = iter(rows)
    upcoming = next(rows, None)
    shown: list[Row] = []
    written = 0
    with Mp4Writer(target, info.width, info.height) as writer:
        for index, at_ms, frame in frames(source, info=info):
            if upcoming is not None and upcoming.frame <= index:
                shown = []
                while upcoming is not None and upcoming.frame <= index:
                    if upcoming.frame == index and upcoming.box is not None:
                        shown.append(upcoming)
                    upcoming = next(rows, None)
            writer.write(draw_faces(upright_rgb(frame, info.rotation), shown), at_ms)
            written += 1
    return written


def plays_in_browsers(source: str | Path) -> bool:
    """Whether the clip's video is already H.264 in 8-bit 4:2:0, which every browser plays from an MP4:
    then ``remux`` copies it into one, far cheaper than encoding again. A caller holding the clip's
    probe reads ``VideoInfo.plays_in_browsers`` instead, without opening the file."""
    try:
        return probe(source).plays_in_browsers
    except InvalidVideo:
        return False


def remux(source: str | Path, target: str | Path) -> None:
    """Copy the clip's video stream, without decoding it, into an MP4 with its index first."""
    import av

    with (
        av.open(str(source)) as src,
        av.open(str(target), "w", format="mp4", options={"movflags": "+faststart"}) as dst,
    ):
        in_stream = src.streams.video[0]
        out_stream = dst.add_stream_from_template(in_stream)
        for packet in src.demux(in_stream):
            if packet.dts is None:  # the demuxer's flush packet
                continue
            packet.stream = out_stream
            dst.mux(packet)
