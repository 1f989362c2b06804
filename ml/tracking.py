"""Boxes linked across sampled frames into tracks: ``Tracker``, and ``iou`` of two boxes.

Boxes are (x, y, w, h) in a frame's pixels (ints or floats); times are integer milliseconds.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import cast

# (x, y, w, h), ints or floats.
Box = Sequence[float]


def _centre(box: Box) -> tuple[float, float]:
    x, y, w, h = box
    return x + w / 2, y + h / 2


def iou(a: Box, b: Box) -> float:
    """Intersection over union of two (x, y, w, h) boxes."""
    ix = max(0.0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union > 0 else 0.0


@dataclass
class _Track:
    number: int
    box: tuple[float, ...]
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
        out: list[tuple[tuple[float, float, float, float], float]] = []
        for track in self._tracks:
            if at_ms - track.last_ms <= self.max_gap_ms:
                cx, cy = track.predicted_centre(at_ms)
                w, h = track.box[2], track.box[3]
                # A track seen once has no velocity yet: its face may have moved further.
                reach = self.max_distance if track.hits > 1 else self.max_distance_new
                out.append(((cx - w / 2, cy - h / 2, w, h), max(0.75, reach)))
        return out

    def update(self, boxes: Sequence[Box], at_ms: int) -> list[int]:
        """Track numbers for ``boxes`` (in order) found in the frame at ``at_ms``."""
        self._tracks = [t for t in self._tracks if at_ms - t.last_ms <= self.max_gap_ms]
        pairs: list[tuple[float, float, int, int]] = []
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
        used: set[int] = set()
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
        return cast(list[int], numbers)  # every box has a number now
