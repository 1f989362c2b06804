"""Clip containers: ``probe`` (what the container says), ``frames`` and ``decode`` (its pictures), ``poster``.

Frames are decoded one at a time with PyAV (FFmpeg in its wheel), so memory does not grow with the
clip's length. Only sampled frames are converted to arrays, and only to grey (the Y plane: cheap):
``grey`` arrays here are uint8 (H, W), upright (turned by the clip's display rotation). Times are
integer milliseconds from the start of the clip; frame numbers count decoded frames from 0.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import av.container
    import av.video.stream
    from av import VideoFrame

# Containers accepted, by FFmpeg demuxer name (never by the client's file name): MP4/MOV, WebM
# (and Matroska, the same demuxer) and AVI. GIF, image sequences and raw streams are not clips.
ACCEPTED_CONTAINERS = {"mov,mp4,m4a,3gp,3g2,mj2": "mp4", "matroska,webm": "webm", "avi": "avi"}
DEFAULT_SAMPLE_FPS = 5.0
# The longest side of a clip's poster (the gallery tile and the player's poster image).
POSTER_SIDE = 400
# Pixel formats of H.264 that every browser plays from an MP4 (8-bit 4:2:0).
BROWSER_PIXEL_FORMATS = ("yuv420p", "yuvj420p")
# A clip is "done early" (truncated or damaged) when decoding stops this far short of the duration the
# container declares: the larger of 5 % and half a second, so rounding of the last frame never counts.
EARLY_END_FRACTION = 0.05
EARLY_END_MIN_MS = 500
NOT_A_CLIP = "This is neither a photo nor a video clip that can be read."


class InvalidVideo(ValueError):
    """The file is not a clip that can be analysed; str() is a message for the person uploading it."""


class NotAVideo(InvalidVideo):
    """The file is no clip at all: not a container FFmpeg reads, or not one of ACCEPTED_CONTAINERS."""


class PictureTooLarge(InvalidVideo):
    """The stream declares a picture larger than the caller's limit (found before any decoding)."""


class BrokenVideo(InvalidVideo):
    """The clip probed, but decoding failed or stopped early (truncated or damaged data)."""


class OverBudget(InvalidVideo):
    """Decoding went past the frame, media-time or wall-clock budget (container metadata lies)."""


@dataclass(frozen=True)
class VideoInfo:
    """What the container says. fps, frame_count and duration_ms are -1 when it does not say.

    Made once (at upload) and handed on, so later steps need not open the file to learn it again.
    """

    container: str  # "mp4", "webm" or "avi" (see ACCEPTED_CONTAINERS)
    codec: str  # FFmpeg decoder name, e.g. "h264", "vp9", "mpeg4", "mjpeg"
    width: int
    height: int
    fps: float
    frame_count: int
    duration_ms: int
    has_audio: bool
    # Degrees the player turns the decoded pictures counterclockwise to show them upright (a phone
    # held upright records landscape pixels and a display rotation). width and height are as shown.
    rotation: int = 0
    pixel_format: str = ""  # FFmpeg's name, e.g. "yuv420p"; "" when the decoder does not say

    @property
    def plays_in_browsers(self) -> bool:
        """H.264 in 8-bit 4:2:0 without a display rotation: every browser plays it from an MP4, so a
        copy of its stream (``ml.annotate_video.remux``) needs no encoding. Browsers differ in whether
        they apply a rotation, so a rotated clip is encoded again with its pictures turned upright."""
        return self.codec == "h264" and self.pixel_format in BROWSER_PIXEL_FORMATS and not self.rotation


@dataclass(frozen=True)
class Budget:
    """Limits the decoder enforces whatever the metadata claims; None means no limit."""

    max_frames: int | None = None  # decoded frames
    max_duration_ms: int | None = None  # media time reached
    max_seconds: float | None = None  # wall-clock time spent


def duration_text(seconds: float) -> str:
    """A duration as people write it: "10 minutes 5 seconds", "1 hour", "2.5 seconds"."""
    whole, tenths = divmod(round(seconds * 10), 10)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    second_count = f"{secs}.{tenths}" if tenths else str(secs)
    parts = [(str(hours), "hour"), (str(minutes), "minute"), (second_count, "second")]
    words = [f"{count} {unit}{'' if count == '1' else 's'}" for count, unit in parts if count != "0"]
    return " ".join(words) or "0 seconds"


# How each accepted container's file begins: (offset, bytes). A file that begins so but that FFmpeg
# cannot open is a damaged or incomplete clip (an MP4 cut off before its index), not some other file.
_SIGNATURES = ((4, b"ftyp"), (4, b"moov"), (4, b"mdat"), (4, b"wide"), (4, b"free"), (0, b"\x1a\x45\xdf\xa3"))
DAMAGED_CLIP = (
    "The clip is damaged or incomplete: its container cannot be read (an MP4 or MOV cut off before its "
    "index, for instance). Upload the whole file again."
)


def _starts_like_a_clip(source: str | Path | object) -> bool:
    try:
        if isinstance(source, str | Path):
            with open(source, "rb") as handle:
                head = handle.read(12)
        else:
            position = source.tell()  # type: ignore[attr-defined]
            source.seek(0)  # type: ignore[attr-defined]
            head = source.read(12)  # type: ignore[attr-defined]
            source.seek(position)  # type: ignore[attr-defined]
    except (OSError, AttributeError, ValueError):
        return False
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return True
    return any(head[offset : offset + len(magic)] == magic for offset, magic in _SIGNATURES)


def open_clip(source: str | Path | object) -> av.container.InputContainer:
    """The PyAV input container of ``source`` (a path or a binary file object); the caller closes it.
    BrokenVideo when it begins as an MP4, MOV, WebM or AVI file but cannot be read, NotAVideo when
    FFmpeg cannot read it at all."""
    import av

    try:
        return av.open(source, mode="r", metadata_errors="ignore")
    except (av.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        if _starts_like_a_clip(source):
            raise BrokenVideo(DAMAGED_CLIP) from exc
        raise NotAVideo(NOT_A_CLIP) from exc


def probe(source: str | Path | object, max_sides: tuple[int, int] | None = None) -> VideoInfo:
    """The container's description of a clip (a path or a binary file object); InvalidVideo when the
    file is not an MP4, MOV, WebM or AVI clip with a video stream.

    ``max_sides`` (long, short): PictureTooLarge when the declared picture is larger in either
    orientation, checked before any frame is decoded (a 16000 x 16000 frame is 250 MB and more).
    """
    container = open_clip(source)
    try:
        kind = ACCEPTED_CONTAINERS.get(container.format.name)
        stream = container.streams.video[0] if container.streams.video else None
        if stream is None:
            if container.streams.audio:
                raise InvalidVideo("This file has sound but no pictures; upload a video clip or a photo.")
            raise NotAVideo(NOT_A_CLIP)
        if kind is None:  # GIF, image sequences, raw streams: not clips, whatever FFmpeg can read
            raise NotAVideo(NOT_A_CLIP)
        ctx = stream.codec_context
        width, height = int(ctx.width or 0), int(ctx.height or 0)
        if width < 1 or height < 1:
            raise InvalidVideo("The clip's picture size cannot be read.")
        if max_sides is not None and (max(width, height) > max_sides[0] or min(width, height) > max_sides[1]):
            raise PictureTooLarge(
                f"The clip is {width} x {height} pixels; the limit is {max_sides[0]} x {max_sides[1]} "
                "in either orientation."
            )
        # Decodes the first frame: only once the declared size is known to be within the limit.
        rotation = _first_frame_rotation(container, stream)
        if rotation in (90, 270):
            width, height = height, width
        rate = stream.average_rate or stream.guessed_rate
        fps = float(rate) if rate else -1.0
        frame_count = int(stream.frames) if stream.frames else -1
        if stream.duration is not None and stream.time_base:
            duration_ms = round(float(stream.duration * stream.time_base) * 1000)
        elif container.duration is not None:
            duration_ms = round(container.duration / 1000)  # av.time_base is microseconds
        else:
            duration_ms = -1
        return VideoInfo(
            container=kind,
            codec=ctx.name,
            width=width,
            height=height,
            fps=round(fps, 3) if fps > 0 else -1.0,
            frame_count=frame_count,
            duration_ms=duration_ms if duration_ms > 0 else -1,
            has_audio=bool(container.streams.audio),
            rotation=rotation,
            pixel_format=getattr(ctx.format, "name", "") or "",
        )
    finally:
        container.close()


def _first_frame_rotation(container: av.container.InputContainer, stream: av.video.stream.VideoStream) -> int:
    """The display rotation (0, 90, 180 or 270) that the first frame carries; 0 if none decodes
    (decoding the clip then fails with the reason)."""
    try:
        frame = next(container.decode(stream), None)
    except Exception:  # damaged or unsupported streams are reported by decode(), with a reason
        return 0
    angle = getattr(frame, "rotation", 0) or 0
    return round(angle / 90) % 4 * 90


def upright(pixels: np.ndarray, rotation: int) -> np.ndarray:
    """``pixels`` (H, W[, C]) as shown: turned ``rotation`` degrees counterclockwise."""
    if not rotation:
        return pixels
    return np.ascontiguousarray(np.rot90(pixels, k=rotation // 90))


def upright_rgb(frame: VideoFrame, rotation: int) -> np.ndarray:
    """uint8 RGB (H, W, 3) of an av.VideoFrame, as shown."""
    return upright(frame.to_ndarray(format="rgb24"), rotation)


def poster_of(frame: VideoFrame, rotation: int, max_side: int = POSTER_SIDE) -> np.ndarray:
    """uint8 RGB (H, W, 3) of an av.VideoFrame shrunk to fit ``max_side``, as shown: a thumbnail."""
    scale = min(1.0, max_side / max(frame.width, frame.height))
    width, height = max(1, round(frame.width * scale)), max(1, round(frame.height * scale))
    return upright(frame.reformat(width=width, height=height, format="rgb24").to_ndarray(), rotation)


def _frame_ms(frame: VideoFrame, index: int, fps: float, start: float) -> int:
    if frame.pts is not None and frame.time is not None:
        return max(0, round((frame.time - start) * 1000))
    return round(index * 1000 / fps) if fps > 0 else 0


def frames(
    source: str | Path, *, info: VideoInfo | None = None, budget: Budget = Budget()
) -> Generator[tuple[int, int, VideoFrame], None, None]:
    """Yield (frame index, timestamp ms, av.VideoFrame) for every decoded frame, in decoding order.

    The frames are as decoded (not yet turned upright: ``upright_rgb``). ``info`` is the clip's probe
    (probed here when not given). Raises OverBudget past ``budget`` and BrokenVideo when decoding
    fails or ends early.
    """
    import av

    info = info or probe(source)
    container = open_clip(source)
    started = time.perf_counter()
    index, last_ms = -1, -1
    try:
        stream = container.streams.video[0]
        # PyAV types time_base as optional; a stream with a start time has one (probe checked it decodes).
        start = float(stream.start_time * stream.time_base) if stream.start_time is not None else 0.0  # type: ignore[operator]
        try:
            for frame in container.decode(stream):
                index += 1
                if budget.max_frames is not None and index >= budget.max_frames:
                    raise OverBudget(f"The clip has more than {budget.max_frames:,} frames, the limit.")
                if budget.max_seconds is not None and time.perf_counter() - started > budget.max_seconds:
                    raise OverBudget(f"Decoding the clip took longer than {budget.max_seconds:,.0f} s, the limit.")
                at_ms = _frame_ms(frame, index, info.fps, start)
                if budget.max_duration_ms is not None and at_ms > budget.max_duration_ms:
                    raise OverBudget(
                        f"The clip is longer than {duration_text(budget.max_duration_ms / 1000)}, the limit."
                    )
                last_ms = max(last_ms, at_ms)
                yield index, at_ms, frame
        except av.FFmpegError as exc:
            raise BrokenVideo(f"The clip is damaged after frame {index + 1} ({exc}).") from exc
    finally:
        container.close()
    if index < 0:
        raise BrokenVideo("The clip has no frame that can be decoded.")
    if info.duration_ms > 0:
        slack = max(EARLY_END_MIN_MS, EARLY_END_FRACTION * info.duration_ms)
        end_ms = last_ms + (1000 / info.fps if info.fps > 0 else 0)
        if end_ms < info.duration_ms - slack:
            raise BrokenVideo(
                f"The clip stops at {last_ms / 1000:.1f} s of the {info.duration_ms / 1000:.1f} s it declares: "
                "the file is truncated or damaged."
            )


def decode(
    source: str | Path,
    *,
    sample_fps: float | None = DEFAULT_SAMPLE_FPS,
    budget: Budget = Budget(),
    on_frame: Callable[[VideoFrame | np.ndarray, int], object] | None = None,
    info: VideoInfo | None = None,
    on_poster: Callable[[np.ndarray], None] | None = None,
    poster_side: int = POSTER_SIDE,
) -> Generator[tuple[int, int, np.ndarray | None], None, None]:
    """Yield (frame index, timestamp ms, grey or None) for every decoded frame; grey is uint8 (H, W)
    for sampled frames, upright (as ``probe`` describes), and None for the others. ``sample_fps``
    None samples every frame.

    ``on_frame(frame, timestamp_ms)`` sees every decoded frame (for a transcoded copy): the
    av.VideoFrame, or for a clip with a display rotation an upright uint8 RGB (H, W, 3) array.
    ``on_poster(rgb)`` gets the first frame as ``poster`` makes it, from this same decoding pass.
    Raises OverBudget past ``budget`` and BrokenVideo when decoding fails or ends early.
    """
    info = info or probe(source)  # a caller that probed already passes what it found
    next_sample_ms = 0.0
    step_ms = 1000.0 / sample_fps if sample_fps else 0.0
    with contextlib.closing(frames(source, info=info, budget=budget)) as decoded:
        for index, at_ms, frame in decoded:
            if on_poster is not None and index == 0:
                on_poster(poster_of(frame, info.rotation, poster_side))
            if on_frame is not None:
                on_frame(upright_rgb(frame, info.rotation) if info.rotation else frame, at_ms)
            if not sample_fps or at_ms + 0.5 >= next_sample_ms:
                if sample_fps:
                    # The next sample is due a step after this one, never a burst to catch up.
                    next_sample_ms = max(next_sample_ms + step_ms, at_ms + step_ms / 2)
                yield index, at_ms, upright(frame.to_ndarray(format="gray"), info.rotation)
            else:
                yield index, at_ms, None


def poster(source: str | Path, max_side: int = POSTER_SIDE, *, info: VideoInfo | None = None) -> np.ndarray:
    """uint8 RGB (H, W, 3) of the clip's first frame, shrunk to fit ``max_side``: its thumbnail.
    (``ml.video.analyze_video`` can hand it over from its own decoding pass instead.)"""
    rotation = (info or probe(source)).rotation
    container = open_clip(source)
    try:
        for frame in container.decode(video=0):
            return poster_of(frame, rotation, max_side)
    except Exception as exc:
        raise BrokenVideo(f"The clip's first frame cannot be decoded ({exc}).") from exc
    finally:
        container.close()
    raise BrokenVideo("The clip has no frame that can be decoded.")
