"""What the pages, the API, the admin and accounts ask of an item: create, cancel, annotate, blur, delete.

Web side only: validation is analysis.media.uploads, work for a worker is sent through
analysis.jobs.dispatch, and nothing here loads the emotion model (the worker's analysis is
analysis.media.analyses).
"""

import dataclasses
from collections import Counter
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from analysis.jobs import dispatch, storage
from analysis.media import retention, uploads
from analysis.media.images import encode, thumbnail_jpeg
from analysis.media.models import AnnotatedCopy, AnonymizedCopy, Media, user_folder
from analysis.media.uploads import UploadRejected

__all__ = ["UploadRejected", "cancel_media", "create_media", "delete_media", "delete_user_data", "request_annotated"]


def create_media(user, uploaded_file, *, sample_fps: float | None = None, keep_media: str | None = None) -> Media:
    """Validate an uploaded photo or clip, store it (a photo as a clean upright RGB copy with a
    thumbnail), and queue analysis. ``sample_fps`` is for clips: None the default, 0 every frame.
    ``keep_media`` overrides the owner's retention for this item (analysis.media.keep_media)."""
    name = getattr(uploaded_file, "name", "") or ""
    try:
        keep = retention.keep_media_for_upload(user, keep_media)
    except ValueError as exc:
        raise UploadRejected(str(exc)) from None
    size = uploads.check_size(uploaded_file)
    # What the content is decides, never the name: an image called clip.mp4 is analysed as a photo.
    if not uploads.is_image(uploaded_file):
        return _create_clip(user, uploaded_file, name, size, sample_fps, keep)
    image, source_format = uploads.read_photo(uploaded_file, size)
    stored_format = "PNG" if source_format == "PNG" else "JPEG"
    media = Media(
        user=user,
        kind=Media.Kind.PHOTO,
        original_name=Path(name).name[:255],
        content_type=f"image/{stored_format.lower()}",
        width=image.width,
        height=image.height,
    )
    retention.apply_to_new_item(media, keep)
    body = encode(image, stored_format)
    media.bytes = len(body)
    extension = "png" if stored_format == "PNG" else "jpg"

    def store():
        media.file.save(f"photo.{extension}", ContentFile(body), save=False)
        media.thumbnail.save("thumb.jpg", ContentFile(thumbnail_jpeg(image)), save=False)

    return _save_and_queue(media, store)


def _create_clip(user, uploaded_file, name: str, size: int, sample_fps: float | None, keep: str) -> Media:
    """Probe a clip's header, check the limits, store it unchanged, and queue its analysis."""
    info = uploads.probe_clip(uploaded_file, size)
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
        probe=dataclasses.asdict(info),
    )
    retention.apply_to_new_item(media, keep)
    return _save_and_queue(media, lambda: media.file.save(f"clip.{info.container}", uploaded_file, save=False))


def _save_and_queue(media: Media, store) -> Media:
    """Store the files (``store()``), save the row and queue its analysis, all or nothing."""
    committed = []
    try:
        with transaction.atomic():
            store()
            media.heartbeat_at = timezone.now()
            media.save()
            transaction.on_commit(lambda: committed.append(True))
            dispatch.analyze_media(media)
    except BaseException:
        # Only a rolled-back row's files are deleted: an error after the commit (an on-commit callback)
        # must not leave a committed row without its files.
        if not committed:
            for field in (media.file, media.thumbnail):
                if field:
                    field.storage.delete(field.name)
        raise
    return media


def cancel_media(media: Media) -> bool:
    """Cancel a queued or running analysis, keeping what was found so far; False when it had finished."""
    return media.request_cancel()


def request_annotated(media: Media) -> bool:
    """Queue the annotated MP4 of a finished clip; False when it is not a finished clip or already asked."""
    if media.kind != Media.Kind.VIDEO or media.status not in (Media.Status.DONE, Media.Status.CANCELLED):
        return False
    if not media.media_kept:
        return False
    with transaction.atomic():
        asked = AnnotatedCopy.ask(media)
        if asked:
            dispatch.annotate_clip(media.pk)
    media.refresh_from_db()  # also forgets the annotated copy read before
    return asked


class AnonymizeRefused(Exception):
    """A blurred copy that cannot be made of this item; str(exc) says why."""


def request_anonymized(media: Media, *, below_confidence: float | None = None, show_emotion: bool = False) -> bool:
    """Queue the blurred copy of an analysed photo or clip; False when one is queued or being made
    already. AnonymizeRefused when the item has nothing to blur yet or its media is gone."""
    if media.kind not in (Media.Kind.PHOTO, Media.Kind.VIDEO):
        raise AnonymizeRefused("Only a photo or a clip has a blurred copy.")
    if media.status not in (Media.Status.DONE, Media.Status.CANCELLED):
        raise AnonymizeRefused("Only an analysed item has a blurred copy: its faces are found first.")
    if not media.media_kept:
        raise AnonymizeRefused("The media of this item was not kept, so no blurred copy can be made.")
    with transaction.atomic():
        asked = AnonymizedCopy.ask(media, below_confidence=below_confidence, show_emotion=show_emotion)
        if asked:
            dispatch.anonymize_media(media)
    media.refresh_from_db()  # also forgets the copy read before
    return asked


def delete_media(media: Media) -> None:
    """Delete an item, its faces and its stored files."""
    # The files go in a post_delete handler (analysis.media.models), so cascades delete them too.
    media.delete()


def delete_user_data(user) -> Counter:
    """Delete every item and stored file of a user (before their account is deleted); the rows removed
    per model label."""
    removed: Counter = Counter()
    with transaction.atomic():
        for media in Media.objects.for_user(user).only("pk", "file", "thumbnail", "playable", "user_id", "kind"):
            removed.update(media.delete()[1])
    # Also anything in the user's folder that no row points to (an upload interrupted mid-write).
    transaction.on_commit(lambda: storage.delete_folder(default_storage, user_folder(user.pk)))
    return removed
