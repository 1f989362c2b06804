"""What serving and training agree on about a face crop: its size, its preprocessing and where the
FER2013 frame lies around the Haar cascade's box.

Small and dependency-free (NumPy only), so serving imports it without pulling in training.
Arrays: faces uint8 (N, 48, 48) grey levels 0-255; model input float32 (N, 48, 48, 1) in [0, 1].
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ml import EMOTIONS

FACE_SIZE = 48
NUM_CLASSES = len(EMOTIONS)


def to_model_input(faces: np.ndarray) -> np.ndarray:
    """uint8 (N,48,48) grey faces -> float32 (N,48,48,1) in [0,1]: the one preprocessing used
    for training, evaluation and serving."""
    return (np.asarray(faces, dtype=np.float32) / 255.0)[..., None]


@dataclass(frozen=True)
class FrameGeometry:
    """The FER frame relative to a cascade box (x, y, w, h): a square of side ``scale * w``
    centred at (x + w/2 + dx*w, y + h/2 + dy*h)."""

    scale: float
    dx: float
    dy: float

    def frame(self, box: Sequence[float]) -> tuple[float, float, float]:
        """(left, top, side) of the frame around ``box``, in the box's pixels (may leave the image)."""
        x, y, w, h = box
        side = self.scale * w
        cx, cy = x + w / 2 + self.dx * w, y + h / 2 + self.dy * h
        return cx - side / 2, cy - side / 2, side


@dataclass(frozen=True)
class Jitter:
    """How far the cascade's box strays from its median framing, as fractions of the frame:
    ``scale`` the relative change of the frame's side (log-symmetric), ``shift`` of its centre."""

    scale: float
    shift: float


# Measured with `python -m ml.training.geometry --json` on all 3,589 validation faces with the served
# detector settings (the model card has the figures; the training run behind the served weights used
# the measurement before the detector's fine pass: scale 1.0186, jitter 0.1972 / 0.0471).
# tests/ml/training/test_geometry.py fails if a new measurement drifts away from these.
SERVED = FrameGeometry(scale=1.0213, dx=-0.0024, dy=0.0)
JITTER = Jitter(scale=0.1896, shift=0.0508)
