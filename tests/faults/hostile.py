"""Hostile files, built at test time: pixel bombs, polyglots, an SVG, cut-off files, a clip that declares
two hours in 2 KB, and an AVI that declares 16000 x 16000 pixels."""

import struct
from fractions import Fraction
from pathlib import Path

import numpy as np

from tests.analysis.media.test_upload_validation import png_header_only
from tests.photos import astronaut, encode
from tests.videos import blank_clip, clip_file, truncated

__all__ = ["png_header_only"]


def jpeg_declaring(width: int, height: int) -> bytes:
    """A small real JPEG whose frame header (SOF0) claims ``width`` x ``height``: a pixel bomb."""
    data = bytearray(encode(astronaut()[:64, :64]))
    sof = data.find(b"\xff\xc0")
    struct.pack_into(">HH", data, sof + 5, height, width)
    return bytes(data)


def html_with_a_jpeg_signature() -> bytes:
    """A script behind the first bytes of a JPEG (SOI and an APP0 marker), as sniffers see one."""
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"<html><script>alert(document.cookie)</script></html>" * 20


def jpeg_with_a_zip_appended() -> bytes:
    return encode(astronaut()) + b"PK\x03\x04" + b"\x14\x00" * 40 + b"PK\x05\x06" + bytes(18)


def png_with_html_appended() -> bytes:
    return encode(astronaut(), "PNG") + b"<html><script>alert(document.cookie)</script></html>"


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>'


def truncated_jpeg() -> bytes:
    whole = encode(astronaut())
    return whole[: len(whole) // 2]


def truncated_mp4(tmp_path: Path) -> Path:
    """An MP4 cut in half: OpenCV writes its index (moov) last, so the index is gone."""
    return truncated(clip_file(tmp_path, seconds=1), tmp_path / "cut.mp4")


def two_hours_in_three_frames(target: Path) -> Path:
    """An H.264 MP4 of three 64 x 64 frames an hour apart: it declares 2 hours in about 2 KB."""
    import av

    with av.open(str(target), "w", format="mp4") as dst:
        stream = dst.add_stream("libx264", rate=1)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        for index in range(3):
            frame = av.VideoFrame.from_ndarray(np.full((64, 64, 3), 128, np.uint8), format="rgb24")
            frame = frame.reformat(format="yuv420p")
            frame.pts, frame.time_base = index * 3600, Fraction(1, 1)
            for packet in stream.encode(frame):
                dst.mux(packet)
        for packet in stream.encode():
            dst.mux(packet)
    return target


def avi_declaring(target: Path, width: int, height: int) -> Path:
    """A two-frame 64 x 48 AVI whose headers (avih, strh, strf) claim ``width`` x ``height``."""
    data = bytearray(blank_clip(target, 64, 48).read_bytes())
    avih = data.find(b"avih")
    struct.pack_into("<II", data, avih + 8 + 32, width, height)
    strh = data.find(b"strh")
    struct.pack_into("<hhhh", data, strh + 8 + 48, 0, 0, min(width, 32767), min(height, 32767))
    strf = data.find(b"strf")
    struct.pack_into("<ii", data, strf + 8 + 4, width, height)
    target.write_bytes(bytes(data))
    return target
