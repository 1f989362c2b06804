"""Live mode, web side: one camera frame checked and handed to a worker, its faces back within a deadline.

The web process checks the frame (check_frame) and sends its bytes to a worker on the `live` queue
(request_analysis); the worker decodes and analyses it in memory (analysis.live.worker). The frame
travels through the broker only, with an expiry equal to the deadline: a worker that receives it later
drops it unread. This is the one place where image bytes, not ids, go through the broker (see STYLE.md).
Nothing about the frame is stored.
"""

import io
import logging
import math
import time
from contextlib import contextmanager, suppress

from celery.exceptions import TimeoutError as CeleryTimeout
from django.conf import settings
from PIL import Image, UnidentifiedImageError

from analysis.jobs import broker, dispatch
from analysis.media.images import ACCEPTED_FORMATS
from analysis.media.uploads import UploadRejected

logger = logging.getLogger(__name__)


class FrameRejected(UploadRejected):
    """A frame that cannot be analysed; str(exc) is meant for the person (or program) sending it."""


class WorkersBusy(Exception):
    """No worker answered within the deadline, or the broker could not be reached to ask one."""


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
    deadline = settings.FER_LIVE_DEADLINE_MS / 1000
    started = time.perf_counter()
    with _busy_while_the_broker_is_down():
        result = dispatch.analyze_live_frame(data, deadline)
    try:
        # A short poll interval matters only to result backends that poll (the filesystem one);
        # Redis pushes the reply.
        with _busy_while_the_broker_is_down():
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


@contextmanager
def _busy_while_the_broker_is_down():
    # Redis stopped or restarting: sending the frame (subscribing to its reply, then publishing) or
    # waiting for the reply fails with a connection error, or Celery's RuntimeError raised from one once
    # its reconnects are spent (CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS bounds them). To the person at
    # the camera it is the same as a missed deadline: this frame is lost, the next one may get through.
    try:
        yield
    except Exception as exc:
        if not broker.is_unavailable(exc):
            raise
        reason: BaseException = exc
        while reason.__cause__ is not None:  # the connection error, not Celery's RuntimeError around it
            reason = reason.__cause__
        logger.warning("Live frame answered busy: the broker is unavailable (%s: %s)", type(reason).__name__, reason)
        raise WorkersBusy() from exc


def withdraw(task_id: str, queue: str = "live") -> bool:
    """Take an unanswered frame's message back out of the queue, if no worker has taken it yet.

    Expiry alone makes a worker drop a late frame unread, but with no worker consuming `live` the
    message would wait in the broker indefinitely. Only this frame's message is removed, found by its
    task id; the queue is short (frames expire within a second), so the scan is cheap.
    """
    try:
        return broker.withdraw(task_id, queue)
    except Exception:
        # The frame still expires; failing to withdraw it must not turn "busy" into an error.
        logger.warning("Could not withdraw live frame %s from the broker", task_id, exc_info=True)
    return False
