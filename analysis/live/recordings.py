"""Live recordings: a live session's per-second emotion summary stored as an item, and its timeline."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

import ml
from analysis.media.models import Media
from analysis.media.results import Detection
from analysis.media.timeline import top_emotion
from analysis.webhooks import services as webhooks
from analysis.webhooks.models import WebhookEvent

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
                emotion=top_emotion(entry["probabilities"]) if entry.get("probabilities") else "",
            )
            for entry in rows
        )
        # A recording is an item whose analysis ended as it was saved: its owner's media.done
        # webhooks hear of it as of any other item, sent once this transaction commits.
        webhooks.emit(WebhookEvent.MEDIA_DONE, media.pk, user.pk)
    return media
