"""The analysis of one uploaded photo or clip (worker only: this is where ml.pipeline is imported)."""

import contextlib
import time

import numpy as np
from django.conf import settings
from django.core.files.base import ContentFile, File
from PIL import Image

import ml
from analysis.jobs import dispatch, storage
from analysis.jobs.lifecycle import heartbeat, record_failure
from analysis.media import failures
from analysis.media.images import THUMBNAIL_SIZE, thumbnail_jpeg
from analysis.media.models import Media
from analysis.media.results import Detection
from ml import video


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
                # Stored photos are RGB already: a convert() would be one more full-size copy.
                pixels = np.asarray(image if image.mode == "RGB" else image.convert("RGB"))
            decoded = time.perf_counter()
            timings = {}
            faces = analyze_image(pixels, timings=timings)
            finished = time.perf_counter()
    except Exception as exc:
        record_failure(media, exc, item="photo", again="try uploading the photo again", explain=failures.explain)
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
    started = time.perf_counter()
    # A previous attempt that died part-way must not leave duplicate rows.
    media.detections.all().delete()
    summary = video.Summary()
    try:
        # PyAV reads and writes local files: a temporary copy of the clip in, a temporary MP4 out.
        with heartbeat(media), storage.local_copy(media.file) as path, storage.scratch_file(".mp4") as playable:
            finished = _analyze_frames(media, path, playable, summary)
            with open(playable, "rb") as handle:
                storage.save_replacing(media.playable, "playable.mp4", File(handle))
            _name_file(media, "playable")
    except Exception as exc:
        # Broken mid-stream or over budget: the rows stored so far stay, and the reason is shown.
        record_failure(media, exc, item="clip", again="try uploading the clip again", explain=failures.explain)
        return
    timings = {"total_ms": round((time.perf_counter() - started) * 1000, 1)}
    media.store_clip_summary(
        summary.clip(), summary.tracks(), finish=finished, model_version=ml.MODEL_VERSION, timings=timings
    )


def _analyze_frames(media: Media, path: str, playable: str, summary: video.Summary) -> bool:
    """Store the rows of the clip at ``path``, its poster and its browser-playable copy (written to
    ``playable``), all from one decoding pass; False when the analysis was cancelled part-way."""
    from ml.annotate_video import Mp4Writer, remux

    budget = video.Budget(
        max_frames=settings.FER_VIDEO_MAX_FRAMES,
        # Some slack over the upload limit: the probed duration is rounded and may be missing.
        max_duration_ms=settings.FER_MAX_VIDEO_SECONDS * 1000 + 5000,
        max_seconds=dispatch.decode_budget_s(),
    )
    sample_fps = media.sample_fps if media.sample_fps is not None else settings.FER_VIDEO_SAMPLE_FPS
    # The upload's probe, so the file is opened once to decode (a clip stored before probes were kept
    # is probed again).
    info = media.video_info() or video.probe(path)
    # An H.264 clip is copied as it is once analysed; anything else is encoded while decoding.
    copy = info.plays_in_browsers
    with contextlib.nullcontext() if copy else Mp4Writer(playable, media.width, media.height) as writer:
        chunks = video.analyze_video(
            path,
            info=info,
            sample_fps=sample_fps or None,
            budget=budget,
            on_frame=None if copy else writer.write,
            on_poster=lambda rgb: _store_poster(media, rgb),
            poster_side=max(THUMBNAIL_SIZE),
        )
        cancelled = False
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
    # A cancelled clip keeps a playable copy too: the player shows the part that was analysed.
    if copy:
        remux(path, playable)
    return not cancelled


def _store_poster(media: Media, rgb: np.ndarray) -> None:
    """The clip's first frame (uint8 RGB) as its thumbnail (the gallery tile and the player's poster)."""
    poster = Image.fromarray(rgb)
    # Replacing a poster an earlier attempt stored: a second one under a suffixed name outlived the clip.
    storage.save_replacing(media.thumbnail, "thumb.jpg", ContentFile(thumbnail_jpeg(poster)))
    _name_file(media, "thumbnail")


def _name_file(media: Media, field_name: str) -> None:
    """Store the name of a file just written in the item's row; the file is deleted again when the
    item, or its media (retention, after a cancel ended the analysis meanwhile), is gone."""
    field = getattr(media, field_name)
    if not Media.objects.filter(pk=media.pk, media_deleted_at=None).update(**{field_name: field.name}):
        field.storage.delete(field.name)
