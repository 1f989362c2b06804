"""Faces blurred beyond recognition, in a picture or in every frame of a clip (issue 17).

A strong Gaussian blur over each face box grown by 20% on every side: pixelation is not used, as large
mosaics keep enough of a face to recognise it. ``image`` arrays are uint8 RGB (H, W, 3); boxes are
(x, y, w, h) ints in its pixels. In a clip, boxes exist at sampled frames only (``ml.summary.Row``):
between two samples of a track its box is interpolated, and around a track's first and last samples
(and across a gap too long to interpolate) the nearest box is held, so no frame shows a face the
analysis saw unblurred.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ml.summary import Row
from ml.video_io import VideoInfo, frames, probe, upright_rgb

Box = tuple[int, int, int, int]

# Each side of a face box grows by this fraction of the box: hair, ears and chin are identifying too.
GROW = 0.2
# The blur's sigma as a fraction of the grown box's longer side: at a quarter, eyes, nose and mouth
# merge into one smooth patch at any face size (a fixed kernel would leave a large face recognisable).
SIGMA_FRACTION = 0.25
# A gap between two samples of a track longer than this many sampling intervals is not interpolated
# (the person may have left and come back elsewhere): each side's box is held for one interval instead.
MAX_GAP_INTERVALS = 3


@dataclass(frozen=True)
class Blur:
    """One face to blur: its box, and the label to draw on it ("" for none)."""

    box: Box
    label: str = ""


def grown_box(box: Sequence[int], width: int, height: int, grow: float = GROW) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1), end-exclusive: ``box`` grown by ``grow`` of its size on each side, within the picture."""
    x, y, w, h = (int(v) for v in box)
    dx, dy = round(w * grow), round(h * grow)
    return max(0, x - dx), max(0, y - dy), min(width, x + w + dx), min(height, y + h + dy)


def blur_faces(image: np.ndarray, faces: Iterable[Blur | Sequence[int]], grow: float = GROW) -> np.ndarray:
    """A copy of the RGB ``image`` with each face (a Blur, or a bare box) strongly blurred, and its label,
    if any, drawn on the blurred patch. Pixels outside the grown boxes are unchanged."""
    import cv2

    out = np.ascontiguousarray(image.copy())
    height, width = out.shape[:2]
    for face in faces:
        blur = face if isinstance(face, Blur) else Blur(tuple(int(v) for v in face))  # type: ignore[arg-type]
        x0, y0, x1, y1 = grown_box(blur.box, width, height, grow)
        if x1 <= x0 or y1 <= y0:
            continue
        patch = out[y0:y1, x0:x1]
        sigma = max(2.0, SIGMA_FRACTION * max(x1 - x0, y1 - y0))
        # Blurred at a small scale and enlarged: the same strength as a huge kernel at full size, in a
        # fraction of the time, so a clip's every frame stays cheap.
        scale = min(1.0, 16.0 / sigma)
        small = cv2.resize(patch, (max(1, round(patch.shape[1] * scale)), max(1, round(patch.shape[0] * scale))))
        small = cv2.GaussianBlur(small, (0, 0), sigmaX=sigma * scale, borderType=cv2.BORDER_REPLICATE)
        smooth = cv2.resize(small, (patch.shape[1], patch.shape[0]), interpolation=cv2.INTER_LINEAR)
        out[y0:y1, x0:x1] = cv2.GaussianBlur(smooth, (0, 0), sigmaX=max(1.0, sigma / 8))
        if blur.label:
            _draw_label(out, blur.label, x0, y0, x1 - x0)
    return out


def _draw_label(out: np.ndarray, label: str, x: int, y: int, w: int) -> None:
    import cv2

    scale = max(0.5, w / 250)
    thick = max(1, round(scale * 2))
    (tw, th), base = cv2.getTextSize(label, cv2.FONT_HERSHEY_SIMPLEX, scale, thick)
    top = max(th + base, y + th + base)
    cv2.rectangle(out, (x, top - th - base), (x + tw, top + base), (255, 200, 0), -1)
    cv2.putText(out, label, (x, top), cv2.FONT_HERSHEY_SIMPLEX, scale, (0, 0, 0), thick, cv2.LINE_AA)


class TrackBoxes:
    """Where each tracked face is at any frame of a clip, from the boxes of its sampled frames."""

    def __init__(self, rows: Iterable[Row], *, label: bool = False):
        per_track: dict[int, list[tuple[int, Box, str]]] = {}
        sampled: set[int] = set()
        for row in rows:
            sampled.add(row.frame)
            if row.box is None or row.track is None:
                continue
            text = f"{row.emotion} {row.confidence:.0%}" if label else ""
            per_track.setdefault(row.track, []).append((row.frame, tuple(row.box), text))  # type: ignore[arg-type]
        frames_sampled = sorted(sampled)
        gaps = np.diff(frames_sampled) if len(frames_sampled) > 1 else np.array([1])
        #: Frames between two samples (the median, so one dropped sample does not count).
        self.interval = max(1, int(np.median(gaps)))
        self.tracks = {track: sorted(samples) for track, samples in per_track.items()}
        self._frames = {track: [s[0] for s in samples] for track, samples in self.tracks.items()}

    def at(self, index: int) -> list[Blur]:
        """The faces to blur at frame ``index``."""
        found = []
        hold = self.interval
        for track, samples in self.tracks.items():
            frames_of = self._frames[track]
            i = bisect.bisect_right(frames_of, index)
            before = samples[i - 1] if i > 0 else None
            after = samples[i] if i < len(samples) else None
            if before is not None and before[0] == index:
                found.append(Blur(before[1], before[2]))
            elif before is not None and after is not None and after[0] - before[0] <= MAX_GAP_INTERVALS * hold:
                t = (index - before[0]) / (after[0] - before[0])
                box = tuple(round(a + (b - a) * t) for a, b in zip(before[1], after[1], strict=True))
                found.append(Blur(box, before[2]))  # type: ignore[arg-type]
            else:
                if before is not None and index - before[0] <= hold:
                    found.append(Blur(before[1], before[2]))
                if after is not None and after[0] - index <= hold:
                    found.append(Blur(after[1], after[2]))
        return found


def anonymize_clip(
    source: str | Path,
    target: str | Path,
    rows: Iterable[Row],
    *,
    info: VideoInfo | None = None,
    label: bool = False,
) -> int:
    """Write ``target``, an H.264 MP4 of ``source`` with every tracked face of ``rows`` blurred in every
    frame (``label``: the emotion drawn on it). Returns frames written."""
    from ml.annotate_video import Mp4Writer

    info = info or probe(source)
    boxes = TrackBoxes(rows, label=label)
    written = 0
    with Mp4Writer(target, info.width, info.height) as writer:
        for index, at_ms, frame in frames(source, info=info):
            writer.write(blur_faces(upright_rgb(frame, info.rotation), boxes.at(index)), at_ms)
            written += 1
    return written
