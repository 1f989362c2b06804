"""What the platform does, called alike by the API, the pages, the admin and the Celery tasks.

The web process uses create_media/delete_media/delete_user_data; only the worker calls
analyze_media, which is where ml.pipeline (and TensorFlow) is imported.
"""

import contextlib
import io
import logging
import shutil
import threading
import time
from datetime import timedelta
from pathlib import Path

import numpy as np
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import connection, transaction
from django.utils import timezone
from PIL import Image, ImageOps, UnidentifiedImageError

import ml
from analysis.models import Detection, Media
from ml import video

logger = logging.getLogger(__name__)

# Recognised by content (Pillow reads the magic bytes), never by the client's file name or type.
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
THUMBNAIL_SIZE = (400, 400)


class UploadRejected(Exception):
    """An upload that cannot be accepted; str(exc) is a message meant for the person uploading."""


def create_media(user, uploaded_file, *, sample_fps: float | None = None) -> Media:
    """Validate an uploaded photo or clip, store it (a photo as a clean upright RGB copy with a
    thumbnail), and queue analysis. ``sample_fps`` is for clips: None the default, 0 every frame."""
    name = getattr(uploaded_file, "name", "") or ""
    size = uploaded_file.size
    if not size:
        raise UploadRejected("The file is empty.")
    # What the content is decides, never the name: an image called clip.mp4 is analysed as a photo.
    if not _is_image(uploaded_file):
        return _create_clip(user, uploaded_file, name, size, sample_fps)
    if size > settings.FER_MAX_UPLOAD_BYTES:
        raise UploadRejected(
            f"The file is {size / 1e6:.1f} MB; the limit is {settings.FER_MAX_UPLOAD_BYTES / 1e6:.0f} MB."
        )
    image, source_format = _decode(uploaded_file)
    stored_format = "PNG" if source_format == "PNG" else "JPEG"
    media = Media(
        user=user,
        kind=Media.Kind.PHOTO,
        original_name=Path(name).name[:255],
        content_type=f"image/{stored_format.lower()}",
        width=image.width,
        height=image.height,
    )
    body = _encode(image, stored_format)
    thumbnail = image.copy()
    thumbnail.thumbnail(THUMBNAIL_SIZE)
    media.bytes = len(body)
    extension = "png" if stored_format == "PNG" else "jpg"
    try:
        with transaction.atomic():
            media.file.save(f"photo.{extension}", ContentFile(body), save=False)
            media.thumbnail.save("thumb.jpg", ContentFile(_encode(thumbnail, "JPEG", quality=85)), save=False)
            media.heartbeat_at = timezone.now()
            media.save()
            enqueue_analysis(media)
    except BaseException:
        # The row was rolled back; do not leave its files behind.
        for field in (media.file, media.thumbnail):
            if field:
                field.storage.delete(field.name)
        raise
    return media


def _is_image(uploaded_file) -> bool:
    """Whether Pillow recognises one of the accepted photo formats (from the header only)."""
    uploaded_file.seek(0)
    try:
        with Image.open(uploaded_file, formats=ACCEPTED_FORMATS):
            return True
    except UnidentifiedImageError:
        return False
    except Exception:  # a recognised but damaged or huge image: the photo path explains why
        return True
    finally:
        uploaded_file.seek(0)


def _create_clip(user, uploaded_file, name: str, size: int, sample_fps: float | None) -> Media:
    """Probe a clip's header, check the limits, store it unchanged, and queue its analysis."""
    if size > settings.FER_MAX_VIDEO_BYTES:
        raise UploadRejected(
            f"The file is {size / 1e6:,.0f} MB; the limit for clips is {settings.FER_MAX_VIDEO_BYTES / 1e6:,.0f} MB."
        )
    uploaded_file.seek(0)
    # Django keeps large uploads in a temporary file (FFmpeg reads it by path) and small ones in memory.
    source = uploaded_file.temporary_file_path() if hasattr(uploaded_file, "temporary_file_path") else uploaded_file
    try:
        info = video.probe(source)
    except video.InvalidVideo as exc:
        message = str(exc)
        if "neither" in message:
            message = "This is not a JPEG, PNG or WebP image. Clips must be MP4, MOV, WebM or AVI."
        raise UploadRejected(message) from None
    finally:
        uploaded_file.seek(0)
    limit_s = settings.FER_MAX_VIDEO_SECONDS
    if info.duration_ms > limit_s * 1000:
        raise UploadRejected(
            f"The clip lasts {info.duration_ms / 60000:.1f} minutes; the limit is {limit_s / 60:g} minutes."
        )
    long_side, short_side = settings.FER_MAX_VIDEO_LONG_SIDE, settings.FER_MAX_VIDEO_SHORT_SIDE
    if max(info.width, info.height) > long_side or min(info.width, info.height) > short_side:
        raise UploadRejected(
            f"The clip is {info.width} x {info.height} pixels; the limit is {long_side} x {short_side} "
            "in either orientation."
        )
    if sample_fps is None:
        sample_fps = settings.FER_VIDEO_SAMPLE_FPS
    media = Media(
        user=user,
        kind=Media.Kind.VIDEO,
        original_name=Path(name).name[:255],
        content_type=f"video/{info.container}",
        width=info.width,
        height=info.height,
        bytes=size,
        duration_ms=info.duration_ms,
        fps=info.fps,
        frame_count=info.frame_count,
        sample_fps=sample_fps,
    )
    try:
        with transaction.atomic():
            media.file.save(f"clip.{info.container}", uploaded_file, save=False)
            media.heartbeat_at = timezone.now()
            media.save()
            enqueue_analysis(media)
    except BaseException:
        if media.file:
            media.file.storage.delete(media.file.name)
        raise
    return media


def _decode(uploaded_file) -> tuple[Image.Image, str]:
    """The upload as an upright RGB image, or UploadRejected. Only the header is read before checks."""
    uploaded_file.seek(0)
    try:
        image = Image.open(uploaded_file, formats=ACCEPTED_FORMATS)
    except UnidentifiedImageError:
        raise UploadRejected("This is not a JPEG, PNG or WebP image.") from None
    except Image.DecompressionBombError:
        raise UploadRejected(_too_many_pixels_message()) from None
    source_format = image.format
    # The header tells the size; refuse before decoding, so a tiny file cannot claim gigabytes.
    if image.width * image.height > settings.FER_MAX_IMAGE_PIXELS:
        raise UploadRejected(_too_many_pixels_message(image.width, image.height))
    try:
        image.load()
    except Image.DecompressionBombError:
        raise UploadRejected(_too_many_pixels_message()) from None
    except (OSError, SyntaxError, ValueError) as exc:
        # Pillow reports truncated and corrupt data as OSError (or SyntaxError for broken PNG chunks).
        raise UploadRejected(f"The image data is damaged or incomplete ({exc}).") from None
    try:
        image = ImageOps.exif_transpose(image)
    except Exception:  # a malformed EXIF block should not cost the photo
        logger.warning("Ignoring unreadable EXIF orientation in an upload", exc_info=True)
    return _to_rgb(image), source_format


def _too_many_pixels_message(width=None, height=None) -> str:
    limit = f"{settings.FER_MAX_IMAGE_PIXELS / 1e6:.0f} megapixels"
    if width is None:
        return f"The image has too many pixels; the limit is {limit}."
    return f"The image is {width} x {height} pixels ({width * height / 1e6:.0f} megapixels); the limit is {limit}."


def _to_rgb(image: Image.Image) -> Image.Image:
    """Any Pillow mode as 8-bit RGB; transparency is flattened onto white."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        # 16-bit grey: Pillow's convert("L") clips at 255 instead of scaling, so scale by hand.
        values = np.asarray(image, dtype=np.float64)
        scale = 257.0 if image.mode.startswith("I;16") or values.max() > 255 else 1.0
        image = Image.fromarray(np.clip(values / scale, 0, 255).astype(np.uint8), mode="L")
    elif image.mode == "F":
        image = Image.fromarray(np.clip(np.asarray(image), 0, 255).astype(np.uint8), mode="L")
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, rgba)
    # A fresh image from the pixels alone: no EXIF, GPS, ICC or text chunks survive into the copy.
    rgb = image.convert("RGB")
    return Image.frombytes("RGB", rgb.size, rgb.tobytes())


def _encode(image: Image.Image, image_format: str, quality: int = 92) -> bytes:
    buffer = io.BytesIO()
    if image_format == "JPEG":
        image.save(buffer, "JPEG", quality=quality, optimize=True)
    else:
        # No `optimize` for PNG: it tries every filter and takes seconds on a large photo, in a request.
        image.save(buffer, image_format)
    return buffer.getvalue()


def enqueue_analysis(media: Media) -> None:
    """Send the analysis task once the current transaction commits (the worker must see the row)."""
    from analysis.tasks import analyze_media_task

    if media.kind == Media.Kind.VIDEO:
        # A clip may take many minutes: its own time limits, kept above the decoder's budget.
        limit = settings.FER_VIDEO_TASK_TIME_LIMIT
        transaction.on_commit(
            lambda: analyze_media_task.apply_async((str(media.pk),), time_limit=limit, soft_time_limit=limit - 30)
        )
        return
    transaction.on_commit(lambda: analyze_media_task.delay(str(media.pk)))


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
        with _heartbeat(media.pk):
            started = time.perf_counter()
            with media.file.open("rb") as stored, Image.open(stored) as image:
                pixels = np.asarray(image.convert("RGB"))
            decoded = time.perf_counter()
            timings = {}
            faces = analyze_image(pixels, timings=timings)
            finished = time.perf_counter()
    except Exception as exc:
        _record_failure(media, exc, "photo")
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
        with _heartbeat(media.pk):
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
        _record_failure(media, exc, "clip")
        return
    finally:
        playable_tmp.unlink(missing_ok=True)
    timings = {"total_ms": round((time.perf_counter() - started) * 1000, 1)}
    media.store_clip_summary(
        summary.clip(), summary.tracks(), finish=not cancelled, model_version=ml.MODEL_VERSION, timings=timings
    )


def _record_failure(media: Media, exc: Exception, noun: str) -> None:
    """Store why the analysis of ``media`` (a "photo" or a "clip") stopped; call from ``except``."""
    from ml.pipeline import InvalidImage

    if isinstance(exc, FileNotFoundError):
        # The item was deleted while we worked (delete_media removes the file after the row).
        reason = f"The stored {noun} is missing."
    elif isinstance(exc, InvalidImage):
        reason = f"This image could not be analysed: {exc}"
    elif isinstance(exc, video.InvalidVideo):
        reason = str(exc)
    elif isinstance(exc, SoftTimeLimitExceeded):
        logger.warning("Analysis of %s %s ran past the soft time limit", noun, media.pk)
        reason = "The analysis took too long and was stopped."
    else:
        logger.exception("Analysis of %s %s failed", noun, media.pk)
        reason = f"The analysis failed unexpectedly; please try uploading the {noun} again."
    media.mark_failed(reason)


def _store_poster(media: Media, path: str) -> None:
    """The clip's first frame as its thumbnail (the gallery tile and the player's poster)."""
    poster = Image.fromarray(video.poster(path, max_side=max(THUMBNAIL_SIZE)))
    media.thumbnail.save("thumb.jpg", ContentFile(_encode(poster, "JPEG", quality=85)), save=False)
    Media.objects.filter(pk=media.pk).update(thumbnail=media.thumbnail.name)


def cancel_media(media: Media) -> bool:
    """Cancel a queued or running analysis, keeping what was found so far; False when it had finished."""
    return media.request_cancel()


def request_annotated(media: Media) -> bool:
    """Queue the annotated MP4 of a finished clip; False when it is not a finished clip or already asked."""
    if media.kind != Media.Kind.VIDEO or media.status not in (Media.Status.DONE, Media.Status.CANCELLED):
        return False
    with transaction.atomic():
        asked = Media.objects.filter(pk=media.pk, annotated_status__in=["", "failed"]).update(annotated_status="queued")
        if asked:
            from analysis.tasks import annotate_clip_task

            limit = settings.FER_VIDEO_TASK_TIME_LIMIT
            transaction.on_commit(
                lambda: annotate_clip_task.apply_async((str(media.pk),), time_limit=limit, soft_time_limit=limit - 30)
            )
    media.refresh_from_db(fields=["annotated_status"])
    return asked == 1


def make_annotated(media_id) -> None:
    """Burn a clip's stored boxes and labels into an H.264 MP4 (worker only)."""
    from ml.annotate_video import annotate_clip

    if Media.objects.filter(pk=media_id, annotated_status="queued").update(annotated_status="processing") != 1:
        return
    media = Media.objects.get(pk=media_id)
    folder = Path(settings.MEDIA_ROOT) / "users" / str(media.user_id) / "clips"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f".{media.pk.hex}.annotated.partial.mp4"
    rows = (
        video.Row(d.frame, d.timestamp_ms, d.track, d.box, d.probabilities, d.emotion)
        for d in media.detections.order_by("frame", "track").iterator(chunk_size=2000)
    )
    try:
        annotate_clip(media.file.path, target, rows)
        with target.open("rb") as handle:
            media.annotated.save("annotated.mp4", File(handle), save=False)
        Media.objects.filter(pk=media.pk).update(annotated=media.annotated.name, annotated_status="done")
    except Exception:
        logger.exception("Annotated copy of clip %s failed", media_id)
        Media.objects.filter(pk=media_id).update(annotated_status="failed")
    finally:
        target.unlink(missing_ok=True)


class _heartbeat:
    """Refresh heartbeat_at in a background thread while a job runs, so the sweeper leaves it alone."""

    def __init__(self, pk):
        self.pk = pk
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        interval = max(settings.FER_JOB_STALE_SECONDS / 4, 0.5)
        try:
            while not self.stop.wait(interval):
                Media.objects.filter(pk=self.pk, status=Media.Status.PROCESSING).update(heartbeat_at=timezone.now())
        finally:
            connection.close()  # this thread's own connection

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.stop.set()
        self.thread.join()


def delete_media(media: Media) -> None:
    """Delete an item, its faces and its stored files."""
    # The files go in a post_delete handler (analysis.models), so cascades delete them too.
    media.delete()


def delete_user_data(user) -> None:
    """Delete every item and stored file of a user (before their account is deleted)."""
    with transaction.atomic():
        for media in Media.objects.for_user(user).only("pk", "file", "thumbnail", "playable", "annotated", "user_id"):
            media.delete()
    # Also anything in the user's folder that no row points to (an upload interrupted mid-write).
    folder = Path(settings.MEDIA_ROOT) / "users" / str(user.pk)
    transaction.on_commit(lambda: shutil.rmtree(folder, ignore_errors=True))


def sweep_stale_jobs() -> dict:
    """Re-queue jobs whose worker went silent and fail those out of attempts; returns the counts."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.FER_JOB_STALE_SECONDS)
    forgotten = now - timedelta(seconds=settings.FER_JOB_QUEUED_SECONDS)
    counts = {"requeued": 0, "failed": 0}
    stuck = Media.objects.filter(status=Media.Status.PROCESSING, heartbeat_at__lt=stale) | Media.objects.filter(
        status=Media.Status.QUEUED, heartbeat_at__lt=forgotten
    )
    for media in stuck.only("pk", "kind", "status", "attempts", "heartbeat_at"):
        if media.attempts >= settings.FER_JOB_MAX_ATTEMPTS:
            # Conditional on the state we saw, so a job that just finished is not overwritten.
            failed = Media.objects.filter(pk=media.pk, status=media.status, heartbeat_at=media.heartbeat_at).update(
                status=Media.Status.FAILED,
                error=f"The analysis did not finish after {media.attempts} attempts.",
                finished_at=now,
                progress=1.0,
            )
            counts["failed"] += failed
            continue
        with transaction.atomic():
            requeued = Media.objects.filter(pk=media.pk, status=media.status, heartbeat_at=media.heartbeat_at).update(
                status=Media.Status.QUEUED, heartbeat_at=now, progress=0.0
            )
            if requeued:
                enqueue_analysis(media)
        counts["requeued"] += requeued
    if any(counts.values()):
        logger.warning("Swept stale jobs: %s", counts)
    return counts
