"""What a clip's analysis says, in the shapes the platform stores and serves: ``Row``, ``Summary``.

The names and units are defined here once: ``ROW_FIELDS`` (one row per sampled frame and face; a
frame without a face has one row whose track, box and probabilities are None) and ``TRACK_FIELDS``
(one per person seen). Times are integer milliseconds from the start of the clip; frame numbers
count decoded frames from 0; boxes are (x, y, w, h) ints in the clip's pixels, as shown (upright).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypedDict

from ml import EMOTIONS

ROW_FIELDS = ("frame", "timestamp_ms", "track", "box", "probabilities", "emotion")
TRACK_FIELDS = ("track", "first_timestamp_ms", "last_timestamp_ms", "dominant_emotion", "shares")


class _TrackStats(TypedDict):
    first: int
    last: int
    counts: dict[str, int]
    sums: dict[str, float]


@dataclass(frozen=True)
class Row:
    """One sampled frame and face; track, box and probabilities are None for a frame with no face."""

    frame: int
    timestamp_ms: int
    track: int | None
    box: tuple[int, int, int, int] | None
    probabilities: dict[str, float] | None
    emotion: str  # "" when there is no face

    def as_dict(self) -> dict[str, Any]:
        return {
            "frame": self.frame,
            "timestamp_ms": self.timestamp_ms,
            "track": self.track,
            "box": list(self.box) if self.box is not None else None,
            "probabilities": dict(self.probabilities) if self.probabilities is not None else None,
            "emotion": self.emotion,
        }

    @property
    def confidence(self) -> float:
        """The top probability (what a drawn label shows); 0.0 for a frame with no face."""
        return max(self.probabilities.values()) if self.probabilities else 0.0


class Summary:
    """Per-track and per-clip summaries, accumulated row by row (memory grows with people, not time).

    ``shares`` are the fraction of a track's detections in which each emotion was the top one;
    ``dominant_emotion`` is the emotion with the largest share (ties: the larger mean probability).
    """

    def __init__(self) -> None:
        self._tracks: dict[int, _TrackStats] = {}

    def add(self, rows: Iterable[Row]) -> None:
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
            assert row.probabilities is not None  # a row with a track has a face
            for name in EMOTIONS:
                stats["sums"][name] += row.probabilities[name]

    @staticmethod
    def _describe(counts: dict[str, int], sums: dict[str, float]) -> tuple[str, dict[str, float]]:
        total = sum(counts.values())
        if not total:
            return "", dict.fromkeys(EMOTIONS, 0.0)
        shares = {name: counts[name] / total for name in EMOTIONS}
        dominant = max(EMOTIONS, key=lambda name: (counts[name], sums[name]))
        return dominant, shares

    def tracks(self) -> list[dict[str, Any]]:
        """One dict per track with the keys of TRACK_FIELDS, by track number."""
        out: list[dict[str, Any]] = []
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

    def clip(self) -> dict[str, Any]:
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
