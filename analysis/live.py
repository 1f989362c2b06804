"""Live mode: one camera frame in, its faces out, within a deadline; nothing about the frame is stored.

The web process checks the frame (check_frame) and hands its bytes to a worker on the `live` queue
(request_analysis); the worker decodes and analyses it in memory (analyze_frame). The frame travels
through the broker only, with an expiry equal to the deadline: a worker that receives it later drops it
unread. This is the one place where image bytes, not ids, go through the broker (see STYLE.md).
"""

import base64
import io
import logging
import math
import time
from contextlib import suppress
from datetime import UTC, datetime

from celery.exceptions import TimeoutError as CeleryTimeout
from django.conf import settings
from PIL import Image, UnidentifiedImageError

from analysis.services import ACCEPTED_FORMATS, UploadRejected, _to_rgb

logger = logging.getLogger(__name__)

# What the broker's message headers and the worker's events show instead of the frame's bytes.
FRAME_ARGSREPR = "('<live frame>',)"


class FrameRejected(UploadRejected):
    """A frame that cannot be analysed; str(exc) is meant for the person (or program) sending it."""


class WorkersBusy(Exception):
    """No worker answered within the deadline."""


def check_frame(uploaded_file) -> bytes:
    """The frame's bytes once it is known to be a whole JPEG, PNG or WebP within the live limits."""
    size = uploaded_file.size or 0
    if not size:
        raise FrameRejected("The frame is empty.")
    limit = settings.FER_LIVE_MAX_BYTES
    if size > limit:
        raise FrameRejected(f"The frame is {math.ceil(size / 1024)} KB; the limit is {limit // 1024} KB.")
    uploaded_file.seek(0)
    data = uploaded_file.read()
    side = settings.FER_LIVE_MAX_SIDE
    try:
        with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as image:
            # The header gives the size: refuse before decoding anything.
            if image.width > side or image.height > side:
                raise FrameRejected(
                    f"The frame is {image.width} x {image.height} pixels; the limit is {side} x {side}. "
                    "Scale it down before sending."
                )
            image.load()
    except UnidentifiedImageError:
        raise FrameRejected("This is not a JPEG, PNG or WebP image.") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise FrameRejected(f"The image data is damaged or incomplete ({exc}).") from None
    return data


def request_analysis(data: bytes) -> dict:
    """Have a worker analyse one checked frame; its reply, or WorkersBusy past the deadline (web side)."""
    from analysis.tasks import analyze_live_frame

    deadline = settings.FER_LIVE_DEADLINE_MS / 1000
    started = time.perf_counter()
    result = analyze_live_frame.apply_async(
        args=[base64.b64encode(data).decode("ascii")],
        # The broker's copy is useless after the deadline: a worker that gets it later drops it unread.
        expires=deadline,
        argsrepr=FRAME_ARGSREPR,
        kwargsrepr="{}",
    )
    try:
        # A short poll interval matters only to result backends that poll (the filesystem one);
        # Redis pushes the reply.
        reply = result.get(timeout=deadline, interval=0.005, propagate=True)
    except CeleryTimeout:
        raise WorkersBusy() from None
    finally:
        # Read once: delete the stored result (and, with Redis, stop listening for it).
        with suppress(Exception):
            result.forget()
    reply["timings_ms"]["round_trip_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return reply


def analyze_frame(data: bytes) -> dict:
    """Faces and timings of one frame, decoded in memory (worker only: imports the model)."""
    from ml.pipeline import analyze_image

    started = time.perf_counter()
    with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as image:
        pixels = _pixels(image)
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


def _pixels(image: Image.Image):
    import numpy as np

    return np.asarray(_to_rgb(image))


def _plain(face: dict) -> dict:
    """The face with plain Python numbers, so JSON carries it through the result backend."""
    return {
        "box": [int(value) for value in face["box"]],
        "probabilities": {name: float(value) for name, value in face["probabilities"].items()},
        "emotion": str(face["emotion"]),
        "confidence": float(face["confidence"]),
    }
