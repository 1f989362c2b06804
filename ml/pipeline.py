"""Image in, faces with emotions out: ``analyze_image``.

``image`` is a uint8 numpy array, H x W x 3 in RGB order (H x W or H x W x 1 grey accepted).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, cast

import numpy as np

from ml import EMOTIONS
from ml.detect import DetectorSettings, crop_faces, detect_faces

# An array this large is a mistake or an attack, not a photo (the platform's own limit is lower).
MAX_PIXELS = 100_000_000


class EmotionClassifier(Protocol):
    """What ``analyze_image`` classifies crops with: ``ml.classify.Classifier`` or a stand-in."""

    def predict(self, faces: np.ndarray, tta: bool = False) -> np.ndarray: ...


class InvalidImage(ValueError):
    """The array cannot be analysed (wrong type, dtype, shape or size)."""


@dataclass(frozen=True)
class Face:
    box: tuple[int, int, int, int]  # x, y, w, h in the original image's pixels
    probabilities: dict[str, float]  # the 7 names of ml.EMOTIONS, summing to 1
    emotion: str
    confidence: float
    # The top class is as likely wrong as right (calibrated confidence under ml.calibration's
    # threshold, chosen on validation): the label still names the top class.
    uncertain: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "box": list(self.box),
            "probabilities": dict(self.probabilities),
            "emotion": self.emotion,
            "confidence": self.confidence,
            "uncertain": self.uncertain,
        }


def to_grey(image: object) -> np.ndarray:
    """uint8 (H, W) grey version of an RGB or grey uint8 array; InvalidImage otherwise."""
    import cv2

    if not isinstance(image, np.ndarray):
        raise InvalidImage(f"expected a numpy array, got {type(image).__name__}")
    if image.dtype != np.uint8:
        raise InvalidImage(f"expected dtype uint8, got {image.dtype}")
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    if not (image.ndim == 2 or (image.ndim == 3 and image.shape[2] == 3)):
        raise InvalidImage(f"expected H x W x 3 (RGB) or H x W (grey), got shape {image.shape}")
    if image.shape[0] < 1 or image.shape[1] < 1:
        raise InvalidImage(f"empty image of shape {image.shape}")
    if image.shape[0] * image.shape[1] > MAX_PIXELS:
        raise InvalidImage(f"{image.shape[1]}x{image.shape[0]} is over {MAX_PIXELS:,} pixels")
    if image.ndim == 2:
        return np.ascontiguousarray(image)
    return cv2.cvtColor(np.ascontiguousarray(image), cv2.COLOR_RGB2GRAY)


def faces_from_probabilities(
    boxes: Sequence[Sequence[float]],
    probs: np.ndarray | Sequence[np.ndarray],
    uncertain_below: float | None = None,
) -> list[Face]:
    """Faces of ``boxes`` and their (N,7) probabilities; ``uncertain_below`` defaults to the served
    calibration's threshold."""
    if uncertain_below is None:
        from ml.calibration import served_threshold

        uncertain_below = served_threshold()
    faces: list[Face] = []
    for box, p in zip(boxes, probs):
        p = np.asarray(p, dtype=np.float64)
        p = p / p.sum()
        best = int(p.argmax())
        faces.append(
            Face(
                box=cast(tuple[int, int, int, int], tuple(int(v) for v in box)),
                probabilities={name: float(v) for name, v in zip(EMOTIONS, p)},
                emotion=EMOTIONS[best],
                confidence=float(p[best]),
                uncertain=bool(p[best] < uncertain_below),
            )
        )
    return faces


def analyze_image(
    image: np.ndarray,
    *,
    settings: DetectorSettings = DetectorSettings(),
    tta: bool = False,
    timings: dict[str, float] | None = None,
    classifier: EmotionClassifier | None = None,
) -> list[Face]:
    """Every frontal face in ``image`` with its emotion probabilities; [] when there is none.

    ``timings``, when given, receives detect_ms and classify_ms. ``tta`` averages each face
    with its mirror image. ``classifier`` (anything with ``predict(faces, tta)``, default the
    served one) lets evaluation score other weights through the same path.
    """
    from ml.classify import served

    classifier = classifier or served()
    t0 = time.perf_counter()
    grey = to_grey(image)
    boxes = detect_faces(grey, settings)
    t1 = time.perf_counter()
    probs: np.ndarray | list[np.ndarray] = classifier.predict(crop_faces(grey, boxes), tta=tta) if boxes else []
    t2 = time.perf_counter()
    if timings is not None:
        timings.update(detect_ms=(t1 - t0) * 1000, classify_ms=(t2 - t1) * 1000)
    threshold = getattr(getattr(classifier, "calibration", None), "uncertain_below", 0.0)
    return faces_from_probabilities(boxes, probs, threshold)


def warm_up() -> None:
    """Load the cascade and the served model now (a worker calls this once at start-up)."""
    analyze_image(np.zeros((64, 64), np.uint8))
    from ml.classify import served

    served().predict(np.zeros((1, 48, 48), np.uint8))
