"""Test clips written at test time with OpenCV's VideoWriter from real faces (skimage's astronaut).

Frames are grey-background canvases with the astronaut's head (tests/photos.py) pasted at positions
that change every frame, so detection and tracking work on a real face moving across the picture.
"""

from fractions import Fraction
from pathlib import Path

import numpy as np

from tests.photos import astronaut_face_crop

FACE = 150  # side of the pasted head, pixels


def _head(size: int = FACE) -> np.ndarray:
    import cv2

    return cv2.resize(astronaut_face_crop(), (size, round(size * 220 / 180)), interpolation=cv2.INTER_AREA)


def write_clip(path: Path, frames, fps: float = 10.0, fourcc: str = "mp4v") -> Path:
    """Write uint8 RGB frames (all of one size) with cv2.VideoWriter; returns ``path``."""
    import cv2

    writer = None
    try:
        for frame in frames:
            if writer is None:
                height, width = frame.shape[:2]
                writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), fps, (width, height))
                assert writer.isOpened(), f"OpenCV cannot write {fourcc} to {path}"
            writer.write(np.ascontiguousarray(frame[:, :, ::-1]))
    finally:
        if writer is not None:
            writer.release()
    return Path(path)


def moving_faces(
    seconds: float = 2.0,
    fps: float = 10.0,
    size: tuple[int, int] = (640, 360),
    crossing: bool = False,
    blank_seconds: float = 0.0,
):
    """Frames: one head moving left to right, or (``crossing``) two heads that swap sides, passing
    each other on rows close enough that their paths cross; then ``blank_seconds`` of no face."""
    width, height = size
    head = _head()
    hh, hw = head.shape[:2]
    count = round(seconds * fps)
    for i in range(count):
        t = i / max(count - 1, 1)
        canvas = np.full((height, width, 3), 128, np.uint8)
        starts = [(10, 10)] if not crossing else [(10, 10), (width - hw - 10, height - hh - 10)]
        ends = [(width - hw - 10, 10)] if not crossing else [(width - hw - 10, height - hh - 10), (10, 10)]
        # Draw the second head first so the first one is on top where they overlap.
        for (x0, y0), (x1, y1) in reversed(list(zip(starts, ends))):
            x, y = round(x0 + (x1 - x0) * t), round(y0 + (y1 - y0) * t)
            canvas[y : y + hh, x : x + hw] = head
        yield canvas
    for _ in range(round(blank_seconds * fps)):
        yield np.full((height, width, 3), 128, np.uint8)


def clip_file(tmp_path: Path, name: str = "clip.mp4", fourcc: str = "mp4v", fps: float = 10.0, **kwargs) -> Path:
    return write_clip(tmp_path / name, moving_faces(fps=fps, **kwargs), fps=fps, fourcc=fourcc)


def faststart_h264(source: Path, target: Path) -> Path:
    """Re-encode ``source`` as H.264 in an MP4 with its index first (so a cut-off copy still probes)."""
    import av

    with av.open(str(source)) as src, av.open(str(target), "w", options={"movflags": "faststart"}) as dst:
        in_stream = src.streams.video[0]
        out = dst.add_stream("libx264", rate=in_stream.average_rate)
        out.width, out.height, out.pix_fmt = in_stream.width, in_stream.height, "yuv420p"
        for index, frame in enumerate(src.decode(in_stream)):
            frame = frame.reformat(format="yuv420p")
            frame.pts, frame.time_base = index, 1 / Fraction(in_stream.average_rate)
            for packet in out.encode(frame):
                dst.mux(packet)
        for packet in out.encode():
            dst.mux(packet)
    return target


def phone_clip(target: Path, frames, rotation: int = 90, fps: float = 10.0) -> Path:
    """An H.264 MP4 as a phone records one: each upright uint8 RGB frame is stored turned
    ``rotation`` degrees clockwise, with a display rotation of ``rotation`` counterclockwise that
    turns it upright again on playing."""
    import av

    with av.open(str(target), "w", format="mp4") as dst:
        stream = None
        for index, frame in enumerate(frames):
            stored = np.ascontiguousarray(np.rot90(frame, k=-(rotation // 90)))
            if stream is None:
                stream = dst.add_stream("libx264", rate=round(fps))
                stream.height, stream.width = stored.shape[:2]
                stream.pix_fmt = "yuv420p"
                stream.set_display_rotation(rotation)
            picture = av.VideoFrame.from_ndarray(stored, format="rgb24").reformat(format="yuv420p")
            picture.pts, picture.time_base = index, Fraction(1, round(fps))
            for packet in stream.encode(picture):
                dst.mux(packet)
        for packet in stream.encode():
            dst.mux(packet)
    return target


def truncated(source: Path, target: Path, keep: float = 0.5) -> Path:
    data = source.read_bytes()
    target.write_bytes(data[: int(len(data) * keep)])
    return target


def audio_only(target: Path, seconds: float = 1.0) -> Path:
    """An MP4 (M4A) holding one AAC sound track and no pictures."""
    import av

    rate = 44100
    with av.open(str(target), "w", format="mp4") as dst:
        stream = dst.add_stream("aac", rate=rate)
        samples = np.sin(np.linspace(0, 440 * 2 * np.pi * seconds, int(rate * seconds))).astype(np.float32)
        frame = av.AudioFrame.from_ndarray(samples[None, :], format="fltp", layout="mono")
        frame.sample_rate = rate
        for packet in stream.encode(frame):
            dst.mux(packet)
        for packet in stream.encode():
            dst.mux(packet)
    return target


def blank_clip(target: Path, width: int, height: int, frames: int = 2, fps: float = 10.0) -> Path:
    """A few grey frames at any size (for the size limits)."""
    return write_clip(target, (np.full((height, width, 3), 128, np.uint8) for _ in range(frames)), fps=fps)


def clip_upload(path: Path, content_type: str = "video/mp4"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(path.name, path.read_bytes(), content_type=content_type)


def large_mjpeg_avi(target: Path, width: int, height: int, frames: int = 2) -> Path:
    """An MJPEG AVI of flat grey ``width`` x ``height`` frames, small on disk whatever the size (a
    picture bomb): the JPEG is encoded once and muxed as it is, never decoded here."""
    import io

    import av
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("L", (width, height), 100).save(buffer, "JPEG", quality=50)
    with av.open(str(target), "w", format="avi") as out:
        stream = out.add_stream("mjpeg", rate=10)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuvj420p"
        for i in range(frames):
            packet = av.Packet(buffer.getvalue())
            packet.stream, packet.pts, packet.dts = stream, i, i
            out.mux(packet)
    return target
