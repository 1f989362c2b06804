"""A clip in, per-frame face rows out: ``analyze_video``, the clip pipeline.

Sampled frames come from ``ml.video_io.decode`` (uint8 grey (H, W), upright); their faces are found
with ``ml.detect``, linked into people with ``ml.tracking.Tracker``, classified in batches and
returned as ``ml.summary.Row``; boxes are (x, y, w, h) ints in the clip's pixels as shown, times
integer milliseconds from the start of the clip.

The clip's other modules are re-exported here under their old ``ml.video`` names (``probe``,
``Summary``, ``Row``, ...), which the platform's services read as ``video.X``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from ml.detect import DetectorSettings, crop_faces, detect_faces, detect_near
from ml.summary import ROW_FIELDS, TRACK_FIELDS, Row, Summary
from ml.tracking import Tracker, iou
from ml.video_io import (
    ACCEPTED_CONTAINERS,
    DEFAULT_SAMPLE_FPS,
    POSTER_SIDE,
    BrokenVideo,
    Budget,
    InvalidVideo,
    NotAVideo,
    OverBudget,
    VideoInfo,
    decode,
    duration_text,
    poster,
    probe,
    upright,
)

if TYPE_CHECKING:
    from av import VideoFrame

__all__ = [
    # This module's own.
    "BATCH_FACES",
    "CONFIRM_MS",
    "CONFIRM_SPAN_MS",
    "FULL_SCAN_MS",
    "Chunk",
    "ClipRows",
    "FaceClassifier",
    "FaceSearch",
    "SampledFrame",
    "analyze_video",
    # Re-exported from the modules they moved to (issue 12), for ``ml.video.X`` callers.
    "ACCEPTED_CONTAINERS",
    "DEFAULT_SAMPLE_FPS",
    "ROW_FIELDS",
    "TRACK_FIELDS",
    "BrokenVideo",
    "Budget",
    "InvalidVideo",
    "NotAVideo",
    "OverBudget",
    "Row",
    "Summary",
    "Tracker",
    "VideoInfo",
    "decode",
    "detect_near",
    "iou",
    "duration_text",
    "poster",
    "probe",
    "upright",
]

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


class FaceClassifier(Protocol):
    """What classifies faces: ``ml.classify.Classifier``, or anything with its ``predict``."""

    def predict(self, faces: np.ndarray) -> np.ndarray:
        """float32 (N, 7) probabilities in ``ml.EMOTIONS`` order of uint8 (N, 48, 48) faces."""


@dataclass(frozen=True)
class Chunk:
    """Rows decoded since the previous chunk, and how far the analysis has come (0..1, -1 unknown)."""

    rows: list[Row]
    fraction: float
    frames_decoded: int
    position_ms: int


@dataclass(frozen=True)
class SampledFrame:
    """A sampled frame's faces, waiting to become rows: boxes (x, y, w, h) in the clip's pixels, their
    track numbers (``Tracker``'s, before confirmation), and their uint8 (N, 48, 48) crops (None: no face)."""

    frame: int
    ms: int
    boxes: list[tuple[int, int, int, int]]
    tracks: list[int]
    crops: np.ndarray | None


class FaceSearch:
    """Finds and tracks the faces of sampled frames: the whole frame every ``full_scan_ms`` of video
    and whenever no one is being tracked, in between only around the tracked faces (``detect_near``).
    ``full_scan_ms`` None searches every frame whole."""

    def __init__(self, settings: DetectorSettings, tracker: Tracker, full_scan_ms: int | None):
        self.settings, self.tracker, self.full_scan_ms = settings, tracker, full_scan_ms
        self._last_full_ms: int | None = None

    def __call__(self, frame: int, at_ms: int, grey: np.ndarray) -> SampledFrame:
        """The faces in ``grey`` (uint8 (H, W)), the frame ``frame`` at ``at_ms``, with their tracks."""
        predictions = self.tracker.predictions(at_ms)
        near = [box for box, _ in predictions]
        last = self._last_full_ms
        if self.full_scan_ms is None or not near or last is None or at_ms - last >= self.full_scan_ms:
            boxes = detect_faces(grey, self.settings)
            self._last_full_ms = at_ms
        else:
            boxes = detect_near(grey, near, self.settings, margin=[reach for _, reach in predictions])
        tracks = self.tracker.update(boxes, at_ms)
        return SampledFrame(frame, at_ms, boxes, tracks, crop_faces(grey, boxes) if boxes else None)


class ClipRows:
    """Sampled frames held until every frame that can confirm their faces has been searched, then
    classified in one batch and turned into rows, in frame order.

    A face counts only when its track is found over ``span_ms`` or more within ``window_ms`` either
    side of it; a clip too short to tell keeps every face. Tracks are renumbered 1, 2, ... in the
    order their first counted face appears. Memory stays flat: only the timestamps later decisions
    read are kept.
    """

    def __init__(self, step_ms: float, classifier: FaceClassifier):
        self.window_ms, self.span_ms = max(CONFIRM_MS, 2 * step_ms), min(CONFIRM_SPAN_MS, step_ms)
        self.classifier = classifier
        self._pending: list[SampledFrame] = []  # in frame order
        self._seen: dict[int, list[int]] = {}  # track: the recent timestamps it was found at
        self._shown: dict[int, int] = {}  # track: its number in the rows (confirmed tracks only)
        self._first_ms: int | None = None
        self._last_ms = 0  # of the latest sampled frame

    def add(self, entry: SampledFrame) -> None:
        for track in entry.tracks:
            self._seen.setdefault(track, []).append(entry.ms)
        self._pending.append(entry)
        self._last_ms = entry.ms
        self._first_ms = entry.ms if self._first_ms is None else self._first_ms

    def _decided(self, entry: SampledFrame) -> bool:
        return self._last_ms - entry.ms > self.window_ms

    def _confirmed(self, entry: SampledFrame, track: int) -> bool:
        near = [ms for ms in self._seen.get(track, ()) if abs(ms - entry.ms) <= self.window_ms]
        return bool(near) and max(near) - min(near) >= self.span_ms

    def waiting(self) -> int:
        """Faces in frames that are decided and not yet classified."""
        return sum(len(entry.boxes) for entry in self._pending if self._decided(entry))

    def take(self, final: bool = False) -> list[Row]:
        """The rows of every decided frame (``final``: of every frame left)."""
        ready = [entry for entry in self._pending if final or self._decided(entry)]
        del self._pending[: len(ready)]
        first = self._first_ms
        keep_all = final and (first is None or self._last_ms - first < self.span_ms)
        kept = [
            [i for i, track in enumerate(entry.tracks) if keep_all or self._confirmed(entry, track)] for entry in ready
        ]
        self._forget()
        return self._rows(ready, kept)

    def _forget(self) -> None:
        oldest = self._pending[0].ms if self._pending else self._last_ms
        for track in list(self._seen):
            self._seen[track] = [ms for ms in self._seen[track] if ms >= oldest - self.window_ms]
            if not self._seen[track]:
                del self._seen[track]

    def _rows(self, ready: list[SampledFrame], kept: list[list[int]]) -> list[Row]:
        """Rows of ``ready`` frames with only their ``kept`` faces (indices), all classified in one batch."""
        from ml.pipeline import faces_from_probabilities  # not at import: the web process never loads it

        kept_crops = []
        for entry, mine in zip(ready, kept):
            if mine:
                assert entry.crops is not None  # a frame with faces has their crops
                kept_crops.append(entry.crops[mine])
        probs = self.classifier.predict(np.concatenate(kept_crops)) if kept_crops else np.zeros((0, 7), np.float32)
        rows, at = [], 0
        for entry, mine in zip(ready, kept):
            if not mine:
                rows.append(Row(entry.frame, entry.ms, None, None, None, ""))
                continue
            boxes = [entry.boxes[i] for i in mine]
            faces = faces_from_probabilities(boxes, probs[at : at + len(boxes)])
            at += len(boxes)
            numbers = [self._shown.setdefault(entry.tracks[i], len(self._shown) + 1) for i in mine]
            for face, number in sorted(zip(faces, numbers), key=lambda pair: pair[1]):
                rows.append(Row(entry.frame, entry.ms, number, face.box, face.probabilities, face.emotion))
        return rows


def _fraction(info: VideoInfo, frames_decoded: int, position_ms: int) -> float:
    if info.duration_ms > 0:
        return min(1.0, position_ms / info.duration_ms)
    if info.frame_count > 0:
        return min(1.0, frames_decoded / info.frame_count)
    return -1.0


def analyze_video(
    source: str | Path,
    *,
    info: VideoInfo | None = None,
    classifier: FaceClassifier | None = None,
    sample_fps: float | None = DEFAULT_SAMPLE_FPS,
    settings: DetectorSettings = DetectorSettings(),
    budget: Budget = Budget(),
    tracker: Tracker | None = None,
    flush_seconds: float = 1.0,
    on_frame: Callable[[VideoFrame | np.ndarray, int], object] | None = None,
    on_poster: Callable[[np.ndarray], None] | None = None,
    poster_side: int = POSTER_SIDE,
    full_scan_ms: int | None = FULL_SCAN_MS,
) -> Generator[Chunk, None, None]:
    """Rows of every sampled frame, in frame order, in chunks yielded at least every ``flush_seconds``
    of work (so a caller can report progress and stop early by closing the iterator).

    ``info`` is the clip's probe, when the caller has it (the file is then opened once, to decode);
    ``classifier`` defaults to the served one (``ml.classify.served``). Faces are classified in
    batches of up to BATCH_FACES crops. ``on_frame``, ``on_poster`` and ``poster_side`` as for
    ``ml.video_io.decode``: a playable copy and the poster come from this same decoding pass.
    Rows trail the decoding by about half a second (``ClipRows``); the search is ``FaceSearch``'s.
    Raises InvalidVideo, BrokenVideo or OverBudget (the rows yielded before that stay valid).
    """
    if classifier is None:
        from ml.classify import served

        classifier = served()
    info = info or probe(source)
    step_ms = 1000 / sample_fps if sample_fps else 1000 / (info.fps if info.fps > 0 else 30)
    search = FaceSearch(settings, tracker or Tracker(), full_scan_ms)
    pending = ClipRows(step_ms, classifier)
    frames_decoded, position_ms = 0, 0
    last_flush = time.perf_counter()
    decoded = decode(
        source,
        sample_fps=sample_fps,
        budget=budget,
        on_frame=on_frame,
        info=info,
        on_poster=on_poster,
        poster_side=poster_side,
    )
    for index, at_ms, grey in decoded:
        frames_decoded, position_ms = index + 1, at_ms
        if grey is not None:
            pending.add(search(index, at_ms, grey))
        if pending.waiting() >= BATCH_FACES or time.perf_counter() - last_flush >= flush_seconds:
            yield Chunk(pending.take(), _fraction(info, frames_decoded, position_ms), frames_decoded, position_ms)
            last_flush = time.perf_counter()
    position_ms = max(position_ms, info.duration_ms)
    yield Chunk(pending.take(final=True), 1.0, frames_decoded, position_ms)
