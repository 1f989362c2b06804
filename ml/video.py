"""Clips in, per-frame face rows and per-person tracks out: ``probe`` and ``analyze_video``.

Frames are decoded one at a time with PyAV (FFmpeg in its wheel), so memory does not grow with the
clip's length. Only sampled frames are converted to arrays, and only to grey (the Y plane: cheap):
``grey`` arrays here are uint8 (H, W). Boxes are (x, y, w, h) ints in the clip's pixels.

The names and units of everything the platform stores and serves about a clip are defined here once:
``ROW_FIELDS`` (one row per sampled frame and face; a frame without a face has one row whose track,
box and probabilities are None) and ``TRACK_FIELDS`` (one per person seen). Times are integer
milliseconds from the start of the clip; frame numbers count decoded frames from 0.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ml import EMOTIONS
from ml.detect import DetectorSettings, crop_faces, detect_faces

ROW_FIELDS = ("frame", "timestamp_ms", "track", "box", "probabilities", "emotion")
TRACK_FIELDS = ("track", "first_timestamp_ms", "last_timestamp_ms", "dominant_emotion", "shares")

# Containers accepted, by FFmpeg demuxer name (never by the client's file name): MP4/MOV, WebM
# (and Matroska, the same demuxer) and AVI. GIF, image sequences and raw streams are not clips.
ACCEPTED_CONTAINERS = {"mov,mp4,m4a,3gp,3g2,mj2": "mp4", "matroska,webm": "webm", "avi": "avi"}
DEFAULT_SAMPLE_FPS = 5.0
# Crops classified together; the classifier pads batches to powers of two up to 32.
BATCH_FACES = 32
# The whole frame is searched once a second of video; between, only around tracked faces (a few times
# cheaper: the Haar cascade's cost grows with the pixels searched). A new face waits at most this long.
FULL_SCAN_MS = 1000
# A detection counts only when its track's detections within CONFIRM_MS either side of it (at least
# two sampled frames either side) span CONFIRM_SPAN_MS or more (one sampling step, if that is less).
# A face found once, or in a few frames in a row at 30 a second, is far more often the cascade firing
# on a texture than a person; its frame keeps a row without a face.
CONFIRM_MS = 500
CONFIRM_SPAN_MS = 200
# The smallest face a local search looks for is shrunk to this many pixels (the cascade's window is 24).
WINDOW_FACE_PX = 40
# A clip is "done early" (truncated or damaged) when decoding stops this far short of the duration the
# container declares: the larger of 5 % and half a second, so rounding of the last frame never counts.
EARLY_END_FRACTION = 0.05
EARLY_END_MIN_MS = 500


class InvalidVideo(ValueError):
    """The file is not a clip that can be analysed; str() is a message for the person uploading it."""


class NotAVideo(InvalidVideo):
    """The file is no clip at all: not a container FFmpeg reads, or not one of ACCEPTED_CONTAINERS."""


class BrokenVideo(InvalidVideo):
    """The clip probed, but decoding failed or stopped early (truncated or damaged data)."""


class OverBudget(InvalidVideo):
    """Decoding went past the frame, media-time or wall-clock budget (container metadata lies)."""


@dataclass(frozen=True)
class VideoInfo:
    """What the container says. fps, frame_count and duration_ms are -1 when it does not say."""

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


@dataclass(frozen=True)
class Budget:
    """Limits the decoder enforces whatever the metadata claims; None means no limit."""

    max_frames: int | None = None  # decoded frames
    max_duration_ms: int | None = None  # media time reached
    max_seconds: float | None = None  # wall-clock time spent


@dataclass(frozen=True)
class Row:
    """One sampled frame and face; track, box and probabilities are None for a frame with no face."""

    frame: int
    timestamp_ms: int
    track: int | None
    box: tuple[int, int, int, int] | None
    probabilities: dict[str, float] | None
    emotion: str  # "" when there is no face

    def as_dict(self) -> dict:
        return {
            "frame": self.frame,
            "timestamp_ms": self.timestamp_ms,
            "track": self.track,
            "box": list(self.box) if self.box is not None else None,
            "probabilities": dict(self.probabilities) if self.probabilities is not None else None,
            "emotion": self.emotion,
        }


@dataclass(frozen=True)
class Chunk:
    """Rows decoded since the previous chunk, and how far the analysis has come (0..1, -1 unknown)."""

    rows: list[Row]
    fraction: float
    frames_decoded: int
    position_ms: int


def _open(source):
    import av

    try:
        return av.open(source, mode="r", metadata_errors="ignore")
    except (av.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise NotAVideo("This is neither a photo nor a video clip that can be read.") from exc


def probe(source: str | Path | object) -> VideoInfo:
    """The container's description of a clip (a path or a binary file object); InvalidVideo when the
    file is not an MP4, MOV, WebM or AVI clip with a video stream."""
    container = _open(source)
    try:
        kind = ACCEPTED_CONTAINERS.get(container.format.name)
        if container.streams.video:
            stream = container.streams.video[0]
        else:
            stream = None
        if stream is None:
            if container.streams.audio:
                raise InvalidVideo("This file has sound but no pictures; upload a video clip or a photo.")
            raise NotAVideo("This is neither a photo nor a video clip that can be read.")
        if kind is None:  # GIF, image sequences, raw streams: not clips, whatever FFmpeg can read
            raise NotAVideo("This is neither a photo nor a video clip that can be read.")
        ctx = stream.codec_context
        width, height = int(ctx.width or 0), int(ctx.height or 0)
        if width < 1 or height < 1:
            raise InvalidVideo("The clip's picture size cannot be read.")
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
        )
    finally:
        container.close()


def _first_frame_rotation(container, stream) -> int:
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


def _centre(box) -> tuple[float, float]:
    x, y, w, h = box
    return x + w / 2, y + h / 2


def iou(a, b) -> float:
    """Intersection over union of two (x, y, w, h) boxes."""
    ix = max(0.0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union > 0 else 0.0


@dataclass
class _Track:
    number: int
    box: tuple
    last_ms: int
    velocity: tuple[float, float] = (0.0, 0.0)  # centre pixels per millisecond
    hits: int = 1

    def predicted_centre(self, at_ms: int) -> tuple[float, float]:
        cx, cy = _centre(self.box)
        dt = at_ms - self.last_ms
        return cx + self.velocity[0] * dt, cy + self.velocity[1] * dt


@dataclass
class Tracker:
    """Links boxes across sampled frames into tracks numbered 1, 2, ... in order of appearance.

    Each track predicts where its face is now from its last box and a smoothed velocity, so two faces
    that cross paths (and are missed while they overlap) are matched to the track moving their way,
    not to the nearest last-seen box. Pairs are matched greedily by predicted-centre distance relative
    to the face size, with IoU as the tie-breaker; a track unseen for ``max_gap_ms`` ends.
    """

    max_gap_ms: int = 1500
    # A detection further than this many face widths from a track's prediction starts a new track;
    # a track seen once has no velocity yet, so a face moving fast may be further from it.
    max_distance: float = 1.0
    max_distance_new: float = 2.0
    # How much of a new velocity estimate replaces the old one (the rest damps detector jitter).
    smoothing: float = 0.6
    _tracks: list[_Track] = field(default_factory=list)
    _next: int = 1

    def predictions(self, at_ms: int) -> list[tuple[tuple[float, float, float, float], float]]:
        """Where each live track's face should be at ``at_ms`` (x, y, w, h), and how far around it to
        look, in face sizes: as far as ``update`` would link a face to it."""
        out = []
        for track in self._tracks:
            if at_ms - track.last_ms <= self.max_gap_ms:
                cx, cy = track.predicted_centre(at_ms)
                w, h = track.box[2], track.box[3]
                # A track seen once has no velocity yet: its face may have moved further.
                reach = self.max_distance if track.hits > 1 else self.max_distance_new
                out.append(((cx - w / 2, cy - h / 2, w, h), max(0.75, reach)))
        return out

    def update(self, boxes, at_ms: int) -> list[int]:
        """Track numbers for ``boxes`` (in order) found in the frame at ``at_ms``."""
        self._tracks = [t for t in self._tracks if at_ms - t.last_ms <= self.max_gap_ms]
        pairs = []
        for ti, track in enumerate(self._tracks):
            px, py = track.predicted_centre(at_ms)
            for bi, box in enumerate(boxes):
                size = max(track.box[2], box[2], 1)
                cx, cy = _centre(box)
                distance = math.hypot(cx - px, cy - py) / size
                if distance <= (self.max_distance if track.hits > 1 else self.max_distance_new):
                    pairs.append((distance, -iou(track.box, box), ti, bi))
        pairs.sort()
        numbers: list[int | None] = [None] * len(boxes)
        used = set()
        for _, _, ti, bi in pairs:
            if ti in used or numbers[bi] is not None:
                continue
            used.add(ti)
            track = self._tracks[ti]
            dt = at_ms - track.last_ms
            if dt > 0:
                (ox, oy), (nx, ny) = _centre(track.box), _centre(boxes[bi])
                s = self.smoothing
                track.velocity = (
                    (1 - s) * track.velocity[0] + s * (nx - ox) / dt,
                    (1 - s) * track.velocity[1] + s * (ny - oy) / dt,
                )
            track.box, track.last_ms, track.hits = tuple(boxes[bi]), at_ms, track.hits + 1
            numbers[bi] = track.number
        for bi, box in enumerate(boxes):
            if numbers[bi] is None:
                self._tracks.append(_Track(self._next, tuple(box), at_ms))
                numbers[bi] = self._next
                self._next += 1
        return numbers


class Summary:
    """Per-track and per-clip summaries, accumulated row by row (memory grows with people, not time).

    ``shares`` are the fraction of a track's detections in which each emotion was the top one;
    ``dominant_emotion`` is the emotion with the largest share (ties: the larger mean probability).
    """

    def __init__(self):
        self._tracks: dict[int, dict] = {}

    def add(self, rows) -> None:
        for row in rows:
            if row.track is None:
                continue
            stats = self._tracks.get(row.track)
            if stats is None:
                stats = self._tracks[row.track] = {
                    "first": row.timestamp_ms,
                    "last": row.timestamp_ms,
                    "counts": dict.fromkeys(EMOTIONS, 0),
                    "sums": dict.fromkeys(EMOTIONS, 0.0),
                }
            stats["first"] = min(stats["first"], row.timestamp_ms)
            stats["last"] = max(stats["last"], row.timestamp_ms)
            stats["counts"][row.emotion] += 1
            for name in EMOTIONS:
                stats["sums"][name] += row.probabilities[name]

    @staticmethod
    def _describe(counts: dict, sums: dict) -> tuple[str, dict[str, float]]:
        total = sum(counts.values())
        if not total:
            return "", dict.fromkeys(EMOTIONS, 0.0)
        shares = {name: counts[name] / total for name in EMOTIONS}
        dominant = max(EMOTIONS, key=lambda name: (counts[name], sums[name]))
        return dominant, shares

    def tracks(self) -> list[dict]:
        """One dict per track with the keys of TRACK_FIELDS, by track number."""
        out = []
        for number in sorted(self._tracks):
            stats = self._tracks[number]
            dominant, shares = self._describe(stats["counts"], stats["sums"])
            out.append(
                {
                    "track": number,
                    "first_timestamp_ms": stats["first"],
                    "last_timestamp_ms": stats["last"],
                    "dominant_emotion": dominant,
                    "shares": shares,
                }
            )
        return out

    def clip(self) -> dict:
        """The same over all tracks: people, dominant_emotion, shares, detections."""
        counts = dict.fromkeys(EMOTIONS, 0)
        sums = dict.fromkeys(EMOTIONS, 0.0)
        for stats in self._tracks.values():
            for name in EMOTIONS:
                counts[name] += stats["counts"][name]
                sums[name] += stats["sums"][name]
        dominant, shares = self._describe(counts, sums)
        return {
            "people": len(self._tracks),
            "dominant_emotion": dominant,
            "shares": shares,
            "detections": sum(counts.values()),
        }


def detect_near(grey: np.ndarray, boxes, settings: DetectorSettings = DetectorSettings(), margin=0.75):
    """Faces in ``grey`` searched only in windows around ``boxes`` (each widened by ``margin`` of its
    size on every side; one number, or one per box), at the same detection scale as a whole-frame
    search; left to right."""
    height, width = grey.shape
    scale = settings.detection_scale(height, width)
    margins = [margin] * len(boxes) if isinstance(margin, int | float) else list(margin)
    found = []
    for (x, y, w, h), margin in zip(boxes, margins):
        mx, my = round(w * margin), round(h * margin)
        x0, y0 = max(0, round(x) - mx), max(0, round(y) - my)
        x1, y1 = min(width, round(x + w) + mx), min(height, round(y + h) + my)
        if x1 - x0 < 8 or y1 - y0 < 8:
            continue
        # The face's size is known: look only for faces from 60 % of it up, at a scale where that is
        # WINDOW_FACE_PX pixels (never larger than the whole-frame scale). The cascade then scans a few
        # window sizes over a small image, instead of every size from 24 pixels over the frame.
        min_face = max(settings.min_face, round(0.6 * min(w, h)))
        side_scale = min(scale, WINDOW_FACE_PX / min_face)
        window = DetectorSettings(
            settings.scale_factor, settings.min_neighbors, min_face, max(1, round(max(x1 - x0, y1 - y0) * side_scale))
        )
        for bx, by, bw, bh in detect_faces(grey[y0:y1, x0:x1], window):
            candidate = (bx + x0, by + y0, bw, bh)
            # Windows of faces close together overlap: the same face is found once.
            if all(iou(candidate, other) < 0.3 for other in found):
                found.append(candidate)
    return sorted(found)


def _frame_ms(frame, index: int, fps: float, start: float) -> int:
    if frame.pts is not None and frame.time is not None:
        return max(0, round((frame.time - start) * 1000))
    return round(index * 1000 / fps) if fps > 0 else 0


def decode(
    source: str | Path,
    *,
    sample_fps: float | None = DEFAULT_SAMPLE_FPS,
    budget: Budget = Budget(),
    on_frame: Callable | None = None,
    info: VideoInfo | None = None,
) -> Iterator[tuple[int, int, np.ndarray | None]]:
    """Yield (frame index, timestamp ms, grey or None) for every decoded frame; grey is uint8 (H, W)
    for sampled frames, upright (as ``probe`` describes), and None for the others. ``sample_fps``
    None samples every frame.

    ``on_frame(frame, timestamp_ms)`` sees every decoded frame (for a transcoded copy): the
    av.VideoFrame, or for a clip with a display rotation an upright uint8 RGB (H, W, 3) array.
    Raises OverBudget past ``budget`` and BrokenVideo when decoding fails or ends early.
    """
    import av

    info = info or probe(source)  # a caller that probed already passes what it found
    container = _open(source)
    started = time.perf_counter()
    index = -1
    last_ms = -1
    try:
        stream = container.streams.video[0]
        start = float(stream.start_time * stream.time_base) if stream.start_time is not None else 0.0
        next_sample_ms = 0.0
        step_ms = 1000.0 / sample_fps if sample_fps else 0.0
        try:
            for frame in container.decode(stream):
                index += 1
                if budget.max_frames is not None and index >= budget.max_frames:
                    raise OverBudget(f"The clip has more than {budget.max_frames:,} frames, the limit.")
                if budget.max_seconds is not None and time.perf_counter() - started > budget.max_seconds:
                    raise OverBudget(f"Decoding the clip took longer than {budget.max_seconds:,.0f} s, the limit.")
                at_ms = _frame_ms(frame, index, info.fps, start)
                if budget.max_duration_ms is not None and at_ms > budget.max_duration_ms:
                    raise OverBudget(f"The clip is longer than {budget.max_duration_ms / 60000:g} minutes, the limit.")
                last_ms = max(last_ms, at_ms)
                if on_frame is not None and info.rotation:
                    on_frame(upright(frame.to_ndarray(format="rgb24"), info.rotation), at_ms)
                elif on_frame is not None:
                    on_frame(frame, at_ms)
                if not sample_fps or at_ms + 0.5 >= next_sample_ms:
                    if sample_fps:
                        # The next sample is due a step after this one, never a burst to catch up.
                        next_sample_ms = max(next_sample_ms + step_ms, at_ms + step_ms / 2)
                    yield index, at_ms, upright(frame.to_ndarray(format="gray"), info.rotation)
                else:
                    yield index, at_ms, None
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


def analyze_video(
    source: str | Path,
    *,
    sample_fps: float | None = DEFAULT_SAMPLE_FPS,
    settings: DetectorSettings = DetectorSettings(),
    budget: Budget = Budget(),
    tracker: Tracker | None = None,
    flush_seconds: float = 1.0,
    on_frame: Callable | None = None,
    full_scan_ms: int | None = FULL_SCAN_MS,
) -> Iterator[Chunk]:
    """Rows of every sampled frame, in frame order, in chunks yielded at least every ``flush_seconds``
    of work (so a caller can report progress and stop early by closing the iterator).

    Faces are classified in batches of up to BATCH_FACES crops. ``on_frame`` as for ``decode``.
    A face counts only when its track is found over a long enough time around it (``CONFIRM_MS``,
    ``CONFIRM_SPAN_MS``), so rows trail the decoding by about half a second; a clip too short to
    tell keeps every face. Tracks are numbered 1, 2, ... in the order their first counted face
    appears.
    The whole frame is searched for faces every ``full_scan_ms`` of video and whenever no one is
    being tracked; in between only around the tracked faces (``detect_near``). None: always all.
    Raises InvalidVideo, BrokenVideo or OverBudget (the rows yielded before that stay valid).
    """
    from ml.classify import served
    from ml.pipeline import faces_from_probabilities

    info = probe(source)
    tracker = tracker or Tracker()
    pending: list[_Sampled] = []  # sampled frames not yet turned into rows, in frame order
    seen: dict[int, list[int]] = {}  # track: the recent timestamps it was found at
    step_ms = 1000 / sample_fps if sample_fps else 1000 / (info.fps if info.fps > 0 else 30)
    window_ms, span_ms = max(CONFIRM_MS, 2 * step_ms), min(CONFIRM_SPAN_MS, step_ms)
    first_ms = None
    shown: dict[int, int] = {}  # track: its number in the rows (confirmed tracks only, 1, 2, ...)
    frames_decoded, position_ms, last_sample_ms = 0, 0, 0
    last_flush = time.perf_counter()
    last_full_ms = None

    def fraction() -> float:
        if info.duration_ms > 0:
            return min(1.0, position_ms / info.duration_ms)
        if info.frame_count > 0:
            return min(1.0, frames_decoded / info.frame_count)
        return -1.0

    def decided(entry: _Sampled) -> bool:
        """Every sampled frame that can confirm this frame's faces has been searched."""
        return last_sample_ms - entry.ms > window_ms

    def confirmed(entry: _Sampled, track: int) -> bool:
        near = [ms for ms in seen.get(track, ()) if abs(ms - entry.ms) <= window_ms]
        return bool(near) and max(near) - min(near) >= span_ms

    def flush(final: bool = False) -> Chunk:
        ready = [entry for entry in pending if final or decided(entry)]
        del pending[: len(ready)]
        # A clip too short to confirm anyone keeps every face it found.
        keep_all = final and (first_ms is None or last_sample_ms - first_ms < span_ms)
        for entry in ready:
            entry.kept = [i for i, track in enumerate(entry.tracks) if keep_all or confirmed(entry, track)]
        oldest = pending[0].ms if pending else last_sample_ms
        for track in list(seen):  # keep only what later decisions read, so memory stays flat
            seen[track] = [ms for ms in seen[track] if ms >= oldest - window_ms]
            if not seen[track]:
                del seen[track]
        kept_crops = [entry.crops[entry.kept] for entry in ready if entry.kept]
        probs = served().predict(np.concatenate(kept_crops)) if kept_crops else np.zeros((0, 7), np.float32)
        rows, at = [], 0
        for entry in ready:
            if not entry.kept:
                rows.append(Row(entry.frame, entry.ms, None, None, None, ""))
                continue
            boxes = [entry.boxes[i] for i in entry.kept]
            faces = faces_from_probabilities(boxes, probs[at : at + len(boxes)])
            at += len(boxes)
            numbers = [shown.setdefault(entry.tracks[i], len(shown) + 1) for i in entry.kept]
            for face, number in sorted(zip(faces, numbers), key=lambda pair: pair[1]):
                rows.append(Row(entry.frame, entry.ms, number, face.box, face.probabilities, face.emotion))
        return Chunk(rows, fraction(), frames_decoded, position_ms)

    for index, at_ms, grey in decode(source, sample_fps=sample_fps, budget=budget, on_frame=on_frame, info=info):
        frames_decoded, position_ms = index + 1, at_ms
        if grey is not None:
            predictions = tracker.predictions(at_ms)
            near = [box for box, _ in predictions]
            if full_scan_ms is None or not near or last_full_ms is None or at_ms - last_full_ms >= full_scan_ms:
                boxes = detect_faces(grey, settings)
                last_full_ms = at_ms
            else:
                boxes = detect_near(grey, near, settings, margin=[reach for _, reach in predictions])
            entry = _Sampled(index, at_ms, boxes, tracker.update(boxes, at_ms))
            entry.crops = crop_faces(grey, boxes) if boxes else None
            for track in entry.tracks:
                seen.setdefault(track, []).append(at_ms)
            pending.append(entry)
            last_sample_ms = at_ms
            first_ms = at_ms if first_ms is None else first_ms
        waiting = sum(len(entry.boxes) for entry in pending if decided(entry))
        if waiting >= BATCH_FACES or time.perf_counter() - last_flush >= flush_seconds:
            yield flush()
            last_flush = time.perf_counter()
    position_ms = max(position_ms, info.duration_ms)
    chunk = flush(final=True)
    yield Chunk(chunk.rows, 1.0, chunk.frames_decoded, chunk.position_ms)


@dataclass
class _Sampled:
    """A sampled frame waiting to become rows: its boxes, their tracks and crops, and which count."""

    frame: int
    ms: int
    boxes: list
    tracks: list[int]
    crops: np.ndarray | None = None
    kept: list[int] = field(default_factory=list)


def poster(source: str | Path, max_side: int = 400) -> np.ndarray:
    """uint8 RGB (H, W, 3) of the clip's first frame, shrunk to fit ``max_side``: its thumbnail."""
    rotation = probe(source).rotation
    container = _open(source)
    try:
        for frame in container.decode(video=0):
            scale = min(1.0, max_side / max(frame.width, frame.height))
            width, height = max(1, round(frame.width * scale)), max(1, round(frame.height * scale))
            return upright(frame.reformat(width=width, height=height, format="rgb24").to_ndarray(), rotation)
    except Exception as exc:
        raise BrokenVideo(f"The clip's first frame cannot be decoded ({exc}).") from exc
    finally:
        container.close()
    raise BrokenVideo("The clip has no frame that can be decoded.")


def analyze_file(path: str | Path, *, sample_fps: float | None = DEFAULT_SAMPLE_FPS) -> dict:
    """Everything about a clip as one JSON-ready dict: info, clip summary, tracks and rows."""
    info = probe(path)
    summary, rows = Summary(), []
    for chunk in analyze_video(path, sample_fps=sample_fps):
        summary.add(chunk.rows)
        rows += [row.as_dict() for row in chunk.rows]
    return {
        "video": str(path),
        "duration_ms": info.duration_ms,
        "fps": info.fps,
        "size": [info.width, info.height],
        **summary.clip(),
        "tracks": summary.tracks(),
        "rows": rows,
    }
