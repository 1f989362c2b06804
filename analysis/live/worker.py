"""Live mode, worker side: one frame's faces, decoded and analysed in memory (imports the model)."""

import io
import time
from datetime import UTC, datetime

import numpy as np
from PIL import Image

from analysis.media.images import ACCEPTED_FORMATS, to_rgb


def analyze_frame(data: bytes) -> dict:
    """Faces and timings of one frame, decoded in memory (worker only: imports the model)."""
    from ml.pipeline import analyze_image

    started = time.perf_counter()
    with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as image:
        pixels = np.asarray(to_rgb(image))
    decoded = time.perf_counter()
    timings = {}
    faces = analyze_image(pixels, timings=timings)
    finished = time.perf_counter()
    timings.update(decode_ms=(decoded - started) * 1000, worker_ms=(finished - started) * 1000)
    return {
        "faces": [_plain(face.as_dict()) for face in faces],
        "timings_ms": {key: round(float(value), 1) for key, value in timings.items()},
    }


def is_past(expires) -> bool:
    """Whether a task's `expires` (an ISO 8601 string, a datetime or None) has passed."""
    if not expires:
        return False
    if isinstance(expires, str):
        expires = datetime.fromisoformat(expires)
    return expires < datetime.now(expires.tzinfo or UTC)


def _plain(face: dict) -> dict:
    """The face with plain Python numbers, so JSON carries it through the result backend."""
    return {
        "box": [int(value) for value in face["box"]],
        "probabilities": {name: float(value) for name, value in face["probabilities"].items()},
        "emotion": str(face["emotion"]),
        "confidence": float(face["confidence"]),
        "uncertain": bool(face.get("uncertain", False)),
    }
