"""Face detection with OpenCV's Haar cascade, and 48x48 face crops for the classifier.

Arrays: ``grey`` is uint8 (H, W), boxes are (x, y, w, h) ints in ``grey``'s pixels, crops are
uint8 (N, 48, 48).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ml.faces import FACE_SIZE, SERVED, FrameGeometry

if TYPE_CHECKING:
    import cv2

# A face found: (x, y, w, h) ints in the picture's pixels.
Box = tuple[int, int, int, int]

CASCADE = "haarcascade_frontalface_default.xml"
# The default frontal cascade is trained on 24x24 windows: nothing smaller can be found.
CASCADE_WINDOW = 24


@dataclass(frozen=True)
class DetectorSettings:
    """scale_factor: step between scanned window sizes (bigger is faster, misses more);
    min_neighbors: overlapping hits needed to keep a face (bigger is stricter);
    min_face: the smallest face side to look for, in original pixels;
    max_side: images larger than this are downscaled for detection, but never so far that a
    min_face face drops below the cascade's 24-pixel window."""

    scale_factor: float = 1.2
    min_neighbors: int = 5
    # 32 rather than 40: at 24 pixels (the bare cascade window) a face is often missed, so a
    # 40-pixel face in a 1080p photo needs the detection image no smaller than 0.75 x.
    min_face: int = 32
    max_side: int = 960
    # Faces of at least ``fine_from`` pixels (in the detection image) are searched with the finer
    # ``fine_scale_factor``: a large face that falls between two coarse window sizes is then found. Finer
    # steps give every face, and every texture, more overlapping hits, so that pass asks for
    # ``fine_min_neighbors``. Measured (`bench/detection.py` and the real-photo dev set): with 5
    # neighbours the fine pass tripled the false detections on textured backgrounds (34 -> 103); with 6
    # it kept them (35) while faces found went from 164 to 171 of 300 composites and from 97.8% to 99.2%
    # of the dev set's photos. ``fine_from=0`` turns it off.
    #
    # The fine pass runs first and the coarse one (windows up to a step above ``fine_from``) second, on a
    # copy where the large faces found (beyond the coarse pass's sizes) are painted flat: the cascade's
    # time goes into windows that look like a face (they pass many of its stages), so on a portrait most
    # of the coarse pass was spent re-finding the face the fine pass finds. A flat patch is rejected at
    # the first stage, and a smaller face elsewhere (a group photo) is searched as before. On the dev set
    # this took detection from 14.5 to 8.3 ms per photo with the same faces found there and on the
    # composites (`bench/detector_shortcuts.py`).
    fine_from: int = 96
    fine_scale_factor: float = 1.1
    fine_min_neighbors: int = 6
    # Paint the fine pass's large faces flat before the coarse pass (see detect_faces); False scans
    # the whole picture twice, as before (bench/detector_shortcuts.py compares the two).
    paint_large_faces: bool = True

    def detection_scale(self, height: int, width: int) -> float:
        """Factor (<= 1) applied to the image before running the cascade."""
        scale = min(1.0, self.max_side / max(height, width))
        return min(1.0, max(scale, CASCADE_WINDOW / max(self.min_face, 1)))

    def smallest_detectable(self, height: int, width: int) -> int:
        """Smallest face side, in original pixels, these settings can find in such an image."""
        return max(self.min_face, int(np.ceil(CASCADE_WINDOW / self.detection_scale(height, width))))


# OpenCV's cascade keeps its scan buffers, about 32 bytes a pixel, sized for the largest picture it has
# searched: a 49 MP photo (searched at 27 MP) left 800 MB in a worker after its job. A picture larger
# than this (at the detection scale) is searched with a cascade of its own, freed afterwards; loading
# one takes about 10 ms, little beside such a search. Smaller ones (clip frames up to 1440p) share the
# cached cascade, which then keeps at most ~65 MB.
SHARED_CASCADE_MAX_PIXELS = 2_100_000

# How much wider the fine pass may box a face than the coarse pass does (see detect_faces).
FINE_BOX_SPREAD = 1.3


@functools.cache
def _cascade() -> cv2.CascadeClassifier:
    return _load_cascade()


def _load_cascade() -> cv2.CascadeClassifier:
    import cv2

    # cv2.data (the bundled cascade files) is missing from OpenCV's own type stubs.
    folder: str = cv2.data.haarcascades  # type: ignore[attr-defined]
    cascade = cv2.CascadeClassifier(folder + CASCADE)
    if cascade.empty():
        raise RuntimeError(f"OpenCV could not load {CASCADE} from {folder}")
    return cascade


def shrink_for_detection(grey: np.ndarray, settings: DetectorSettings) -> tuple[np.ndarray, float, int]:
    """(``grey`` at the settings' detection scale, that scale, the smallest window size in it)."""
    import cv2

    h, w = grey.shape
    scale = settings.detection_scale(h, w)
    small = grey
    if scale < 1.0:
        small = cv2.resize(grey, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
    return small, scale, max(CASCADE_WINDOW, round(settings.min_face * scale))


def _inside(box: Sequence[float], other: Sequence[float]) -> float:
    """The share of ``box``'s area inside ``other`` (boxes as x, y, w, h)."""
    x0, y0 = max(box[0], other[0]), max(box[1], other[1])
    x1, y1 = min(box[0] + box[2], other[0] + other[2]), min(box[1] + box[3], other[1] + other[3])
    return max(0, x1 - x0) * max(0, y1 - y0) / max(1, box[2] * box[3])


def _flatten(small: np.ndarray, boxes: list[tuple[int, ...]]) -> np.ndarray:
    """``small`` with each box painted in its own mean grey (``small`` itself when there is none)."""
    if not boxes:
        return small
    out = small.copy()
    for x, y, w, h in boxes:
        region = out[y : y + h, x : x + w]
        region[:] = int(region.mean())
    return out


def _merge(coarse: list[tuple[int, ...]], fine: list[tuple[int, ...]]) -> list[tuple[int, ...]]:
    """The coarse pass's boxes with the fine pass's faces it missed. A face both passes found keeps
    the coarse box (the same framing as every smaller face, which the served crop was measured
    on); a coarse box lying mostly inside a fine one that it does not match is a part of that face
    (an eye and a cheek), and goes."""
    from ml.tracking import iou

    kept = [box for box in coarse if any(iou(box, f) >= 0.5 for f in fine) or all(_inside(box, f) < 0.5 for f in fine)]
    return kept + [f for f in fine if all(iou(f, box) < 0.5 for box in kept)]


def _scan(
    small: np.ndarray, scale_factor: float, min_neighbors: int, min_size: int, max_size: int = 0
) -> list[tuple[int, ...]]:
    """One ``detectMultiScale`` over ``small`` as a list of (x, y, w, h) tuples (max_size 0: no limit)."""
    cascade = _cascade() if small.size <= SHARED_CASCADE_MAX_PIXELS else _load_cascade()
    found = cascade.detectMultiScale(
        small,
        scaleFactor=scale_factor,
        minNeighbors=min_neighbors,
        minSize=(min_size, min_size),
        maxSize=(max_size, max_size),
    )
    return [tuple(box) for box in np.asarray(found).reshape(-1, 4)]


def detect_faces(grey: np.ndarray, settings: DetectorSettings = DetectorSettings()) -> list[Box]:
    """Boxes (x, y, w, h) of the frontal faces in ``grey``, in its own pixels, left to right."""
    h, w = grey.shape
    small, scale, min_size = shrink_for_detection(grey, settings)
    fine = max(min_size, round(settings.fine_from * scale)) if settings.fine_from else 0
    fine_pass = fine and fine < min(small.shape)
    # With the fine pass, the coarse one stops a step above where the fine one starts.
    coarse_max = round(fine * settings.scale_factor) if fine_pass else 0
    if fine_pass:
        large = _scan(small, settings.fine_scale_factor, settings.fine_min_neighbors, fine)
        # Only faces the coarse pass cannot box are painted over: the fine pass boxes a face near the
        # bottom of its range up to a quarter wider than the coarse pass does (76 against 98 pixels in
        # tests/ml/test_detect_near.py), and there the coarse box is the one served.
        beyond = [box for box in large if box[2] > FINE_BOX_SPREAD * coarse_max] if settings.paint_large_faces else []
        coarse = _scan(_flatten(small, beyond), settings.scale_factor, settings.min_neighbors, min_size, coarse_max)
        found = _merge(coarse, large)
    else:
        found = _scan(small, settings.scale_factor, settings.min_neighbors, min_size)
    boxes: list[Box] = []
    for x, y, bw, bh in np.asarray(found, dtype=np.float64).reshape(-1, 4) / scale:
        x0, y0 = max(0, round(x)), max(0, round(y))
        x1, y1 = min(w, round(x + bw)), min(h, round(y + bh))
        boxes.append((x0, y0, x1 - x0, y1 - y0))
    return sorted(boxes)


def crop_faces(grey: np.ndarray, boxes: Sequence[Sequence[float]], geometry: FrameGeometry = SERVED) -> np.ndarray:
    """uint8 (N,48,48) crops framed around each cascade box as FER2013 frames its faces
    (``ml.training.geometry``, measured on FER2013 validation). A frame that leaves the image is filled with
    the image's edge pixels, as a squeezed crop would distort the face the network sees."""
    import cv2

    h, w = grey.shape
    crops = np.empty((len(boxes), FACE_SIZE, FACE_SIZE), dtype=np.uint8)
    for i, box in enumerate(boxes):
        left, top, side = geometry.frame(box)
        x0, y0 = round(left), round(top)
        x1, y1 = x0 + max(1, round(side)), y0 + max(1, round(side))
        region = grey[max(0, y0) : min(h, y1), max(0, x0) : min(w, x1)]
        pads = (max(0, -y0), max(0, y1 - h), max(0, -x0), max(0, x1 - w))
        if any(pads):
            region = cv2.copyMakeBorder(region, *pads, cv2.BORDER_REPLICATE)
        crops[i] = cv2.resize(region, (FACE_SIZE, FACE_SIZE), interpolation=cv2.INTER_AREA)
    return crops


# The smallest face a local search looks for is shrunk to this many pixels (the cascade's window is 24).
WINDOW_FACE_PX = 40


def detect_near(
    grey: np.ndarray,
    boxes: Sequence[Sequence[float]],
    settings: DetectorSettings = DetectorSettings(),
    margin: float | Sequence[float] = 0.75,
) -> list[Box]:
    """Faces in ``grey`` searched only in windows around ``boxes`` (each widened by ``margin`` of its
    size on every side; one number, or one per box), at the same detection scale as a whole-frame
    search; left to right. A clip's analysis searches around its tracked faces this way between
    whole-frame searches (a few times cheaper: the cascade's cost grows with the pixels searched)."""
    from ml.tracking import iou  # imported here: ml.tracking is about clips, this module about pictures

    height, width = grey.shape
    scale = settings.detection_scale(height, width)
    margins = [margin] * len(boxes) if isinstance(margin, int | float) else list(margin)
    found: list[Box] = []
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
