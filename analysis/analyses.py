"""The analysis of one uploaded photo or clip (worker only: this is where ml.pipeline is imported)."""

import contextlib
import logging
import time
from pathlib import Path

import numpy as np
from django.conf import settings
from django.core.files.base import ContentFile, File
from PIL import Image

import ml
from analysis.images import THUMBNAIL_SIZE, encode
from analysis.jobs import heartbeat, record_failure
from analysis.models import Detection, Media
from ml import video

logger = logging.getLogger(__name__)


def analyze_media(media_id) -> None:
    """Run the emotion pipeline on one queued item and store its faces and summary (worker only)."""
    from ml.pipeline import analyze_image

    media = Media.objects.filter(pk=media_id).first()
    if media is None:  # deleted before the worker got to it
        return
    if not media.mark_processing():  # finished already, or another worker holds it
        return
    if media.kind == Media.Kind.VIDEO:
        _analyze_clip(media)
        return
    queued_for = (media.started_at - media.created_at).total_seconds() * 1000
    try:
        with heartbeat(media):
            started = time.perf_counter()
            with media.file.open("rb") as stored, Image.open(stored) as image:
                pixels = np.asarray(image.convert("RGB"))
            decoded = time.perf_counter()
            timings = {}
            faces = analyze_image(pixels, timings=timings)
            finished = time.perf_counter()
    except Exception as exc:
        record_failure(media, exc, item="photo", again="try uploading the photo again")
        return
    timings.update(
        queue_ms=round(queued_for, 1),
        decode_ms=round((decoded - started) * 1000, 1),
        total_ms=round((finished - started) * 1000, 1),
    )
    timings = {key: round(value, 1) for key, value in timings.items()}
    media.mark_done(faces, model_version=ml.MODEL_VERSION, timings=timings)


def _analyze_clip(media: Media) -> None:
    """Stream a clip through ml.video, storing rows and progress as they come (worker only)."""
    from ml.annotate_video import Mp4Writer, plays_in_browsers, remux

    started = time.perf_counter()
    # A previous attempt that died part-way must not leave duplicate rows.
    media.detections.all().delete()
    summary = video.Summary()
    budget = video.Budget(
        max_frames=settings.FER_VIDEO_MAX_FRAMES,
        # Some slack over the upload limit: the probed duration is rounded and may be missing.
        max_duration_ms=settings.FER_MAX_VIDEO_SECONDS * 1000 + 5000,
        max_seconds=settings.FER_VIDEO_MAX_DECODE_SECONDS,
    )
    sample_fps = media.sample_fps if media.sample_fps is not None else settings.FER_VIDEO_SAMPLE_FPS
    folder = Path(settings.MEDIA_ROOT) / "users" / str(media.user_id) / "clips"
    folder.mkdir(parents=True, exist_ok=True)
    playable_tmp = folder / f".{media.pk.hex}.partial.mp4"
    cancelled = False
    try:
        with heartbeat(media):
            path = media.file.path
            _store_poster(media, path)
            # An H.264 clip is copied as it is once analysed; anything else is encoded while decoding.
            copy = plays_in_browsers(path)
            with contextlib.nullcontext() if copy else Mp4Writer(playable_tmp, media.width, media.height) as writer:
                chunks = video.analyze_video(
                    path, sample_fps=sample_fps or None, budget=budget, on_frame=None if copy else writer.write
                )
                try:
                    for chunk in chunks:
                        Detection.objects.bulk_create(Detection(media=media, **row.as_dict()) for row in chunk.rows)
                        summary.add(chunk.rows)
                        # About once a second: the progress, and the cancel check (the row's status).
                        if not media.report_progress(chunk.fraction):
                            cancelled = True
                            break
                finally:
                    chunks.close()
            if copy:
                remux(path, playable_tmp)
            with playable_tmp.open("rb") as handle:
                media.playable.save("playable.mp4", File(handle), save=False)
            Media.objects.filter(pk=media.pk).update(playable=media.playable.name)
    except Exception as exc:
        # Broken mid-stream or over budget: the rows stored so far stay, and the reason is shown.
        record_failure(media, exc, item="clip", again="try uploading the clip again")
        return
    finally:
        playable_tmp.unlink(missing_ok=True)
    timings = {"total_ms": round((time.perf_counter() - started) * 1000, 1)}
    media.store_clip_summary(
        summary.clip(), summary.tracks(), finish=not cancelled, model_version=ml.MODEL_VERSION, timings=timings
    )


def _store_poster(media: Media, path: str) -> None:
    """The clip's first frame as its thumbnail (the gallery tile and the player's poster)."""
    poster = Image.fromarray(video.poster(path, max_side=max(THUMBNAIL_SIZE)))
    media.thumbnail.save("thumb.jpg", ContentFile(encode(poster, "JPEG", quality=85)), save=False)
    Media.objects.filter(pk=media.pk).update(thumbnail=media.thumbnail.name)
