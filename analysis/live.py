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
import os
import time
from contextlib import suppress
from datetime import UTC, datetime, timedelta

from celery.exceptions import TimeoutError as CeleryTimeout
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

import ml
from analysis.models import Detection, Media
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
        withdraw(result.id)
        raise WorkersBusy() from None
    finally:
        # Read once: delete the stored result (and, with Redis, stop listening for it).
        with suppress(Exception):
            result.forget()
    reply["timings_ms"]["round_trip_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return reply


def withdraw(task_id: str, queue: str = "live") -> bool:
    """Take an unanswered frame's message back out of the queue, if no worker has taken it yet.

    Expiry alone makes a worker drop a late frame unread, but with no worker consuming `live` the
    message would wait in the broker indefinitely. Only this frame's message is removed, found by its
    task id; the queue is short (frames expire within a second), so the scan is cheap.
    """
    from fer_site.celery import app

    needle = task_id.encode()
    try:
        with app.pool.acquire(block=True, timeout=2) as connection:
            channel = connection.default_channel
            if connection.transport_cls == "redis":
                client = channel.client
                for raw in client.lrange(queue, 0, -1):
                    if needle in raw:
                        return bool(client.lrem(queue, 1, raw))
            elif connection.transport_cls == "filesystem":
                folder = channel.data_folder_in
                for name in os.listdir(folder):
                    if name.endswith(f".{queue}.msg"):
                        with suppress(OSError), open(os.path.join(folder, name), "rb") as message:
                            if needle in message.read():
                                os.remove(os.path.join(folder, name))
                                return True
    except Exception:
        # The frame still expires; failing to withdraw it must not turn "busy" into an error.
        logger.warning("Could not withdraw live frame %s from the broker", task_id, exc_info=True)
    return False


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
        "uncertain": bool(face.get("uncertain", False)),
    }


# A recording longer than an hour is refused rather than stored: the page keeps its summary in memory.
MAX_RECORDING_SECONDS = 3600


class RecordingRejected(Exception):
    """A recording summary that cannot be saved; str(exc) says why."""


def save_recording(user, seconds: list[dict]) -> Media:
    """Store a live session's per-second emotion summary (never pictures) as a done item of kind live.

    ``seconds``: [{"t": second from the start, "faces": most faces seen in a frame that second,
    "probabilities": the most confident face's 7 probabilities averaged over the second, or None}].
    Each second becomes one Detection row (track 1, no box; no track where no face was seen), the
    rows a clip's timeline is drawn from.
    """
    if not seconds:
        raise RecordingRejected("The recording is empty: start the camera and wait for a few answers first.")
    by_second = {}
    for entry in seconds:
        by_second[entry["t"]] = entry
    if max(by_second) >= MAX_RECORDING_SECONDS:
        raise RecordingRejected(f"A recording may last {MAX_RECORDING_SECONDS // 60} minutes at most.")
    rows = sorted(by_second.values(), key=lambda entry: entry["t"])
    totals = dict.fromkeys(ml.EMOTIONS, 0.0)
    seen = [entry for entry in rows if entry.get("probabilities")]
    for entry in seen:
        for name in ml.EMOTIONS:
            totals[name] += entry["probabilities"][name]
    now = timezone.now()
    duration_ms = (rows[-1]["t"] + 1) * 1000
    with transaction.atomic():
        media = Media.objects.create(
            user=user,
            kind=Media.Kind.LIVE,
            status=Media.Status.DONE,
            original_name=f"Live recording, {timezone.localtime(now):%d %b %Y %H:%M}",
            created_at=now - timedelta(milliseconds=duration_ms),
            started_at=now - timedelta(milliseconds=duration_ms),
            finished_at=now,
            progress=1.0,
            duration_ms=duration_ms,
            sample_fps=1.0,
            face_count=max(int(entry.get("faces") or 0) for entry in rows),
            people=1 if seen else 0,
            dominant_emotion=max(totals, key=totals.get) if seen else "",
            model_version=ml.MODEL_VERSION,
        )
        Detection.objects.bulk_create(
            Detection(
                media=media,
                frame=entry["t"],
                timestamp_ms=entry["t"] * 1000,
                track=1 if entry.get("probabilities") else None,
                probabilities=entry.get("probabilities"),
                emotion=_top(entry["probabilities"]) if entry.get("probabilities") else "",
            )
            for entry in rows
        )
    return media


def _top(probabilities: dict) -> str:
    return max(ml.EMOTIONS, key=lambda name: probabilities[name])


def recording_timeline(media: Media, width: int = 600, height: int = 90) -> dict:
    """SVG path data per emotion for a live recording's per-second rows, drawn like a clip's timeline."""
    rows = list(media.detections.order_by("frame").values_list("timestamp_ms", "probabilities"))
    total = max(media.duration_ms or 0, 1)
    lines = []
    for name in ml.EMOTIONS:
        path, last = [], None
        for timestamp, probabilities in rows:
            if not probabilities:
                last = None  # a gap where no face was seen
                continue
            command = "L" if last is not None and timestamp - last <= 1000 else "M"
            x = width * (timestamp + 500) / total
            y = height - 4 - (height - 8) * probabilities[name]
            path.append(f"{command}{x:.1f},{y:.1f}")
            last = timestamp
        lines.append({"emotion": name, "d": "".join(path)})
    seen = [probabilities for _, probabilities in rows if probabilities]
    shares = [
        {"emotion": name, "percent": 100 * sum(p[name] for p in seen) / len(seen) if seen else 0.0}
        for name in ml.EMOTIONS
    ]
    return {
        "width": width,
        "height": height,
        "lines": lines,
        "shares": shares,
        "seconds": len(rows),
        "seconds_with_face": len(seen),
    }
