"""Boxes and labels drawn on pictures: one look for the CLI's ``--annotate`` and annotated clips.

``image`` is uint8 RGB (H, W, 3); boxes are (x, y, w, h) ints in its pixels.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

import numpy as np

BOX_RGB = (255, 200, 0)
TEXT_RGB = (0, 0, 0)


class Labelled(Protocol):
    """A face to draw: ``ml.pipeline.Face`` and ``ml.summary.Row`` (with a box) both are."""

    # Read-only (properties), so that frozen dataclasses and narrower types (a box that is never None) fit.
    @property
    def box(self) -> tuple[int, int, int, int] | None: ...

    @property
    def emotion(self) -> str: ...

    @property
    def confidence(self) -> float: ...


def draw_faces(image: np.ndarray, faces: Iterable[Labelled]) -> np.ndarray:
    """A copy of the RGB ``image`` with each face's box and 'emotion confidence' drawn on it
    (faces without a box are skipped)."""
    import cv2

    out = np.ascontiguousarray(image.copy())
    thick = max(2, round(max(image.shape[:2]) / 400))
    for face in faces:
        if face.box is None:
            continue
        x, y, w, h = face.box
        cv2.rectangle(out, (x, y), (x + w, y + h), BOX_RGB, thick)
        label = f"{face.emotion} {face.confidence:.0%}"
        scale = max(0.5, w / 200)
        (tw, th), base = cv2.getTextSize(label, cv2.FONT_HERSHEY_SIMPLEX, scale, thick)
        # Above the box, or below it when the box touches the top of the picture.
        ty = y - 4 if y - th - base - 4 > 0 else y + h + th + 4
        cv2.rectangle(out, (x, ty - th - base), (x + tw, ty + base), BOX_RGB, -1)
        cv2.putText(out, label, (x, ty), cv2.FONT_HERSHEY_SIMPLEX, scale, TEXT_RGB, thick, cv2.LINE_AA)
    return out
