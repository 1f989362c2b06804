"""What the pages, the API, the admin and accounts ask of an item: create, cancel, annotate, blur, delete.

Web side only: validation is analysis.media.uploads, work for a worker is sent through
analysis.jobs.dispatch, and nothing here loads the emotion model (the worker's analysis is
analysis.media.analyses).
"""

import dataclasses
import time
from collections import Counter
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

import ml
from analysis.jobs import dispatch, storage
from analysis.media import retention, uploads
from analysis.media.images import encode, thumbnail_jpeg
from analysis.media.models import AnnotatedCopy, AnonymizedCopy, Media, collection_model, user_folder
from analysis.media.uploads import UploadRejected

__all__ = [
    "UploadRejected",
    "cancel_media",
    "create_media",
    "delete_media",
    "delete_user_data",
    "request_annotated",
    "wait_until_final",
]


def create_media(
    user,
    uploaded_file,
    *,
    sample_fps: float | None = None,
    keep_media: str | None = None,
    collection=None,
    expected_emotion: str = "",
) -> Media:
    """Validate an uploaded photo or clip, store it (a photo as a clean upright RGB copy with a
    thumbnail), and queue analysis. ``sample_fps`` is for clips: None the default, 0 every frame.
    ``keep_media`` overrides the owner's retention for this item (analysis.media.keep_media);
    ``collection`` (one of the owner's, checked by the caller) and ``expected_emotion`` are stored with it."""
    name = getattr(uploaded_file, "name", "") or ""
    try:
        keep = retention.keep_media_for_upload(user, keep_media)
    except ValueError as exc:
        raise UploadRejected(str(exc)) from None
    if expected_emotion and expected_emotion not in ml.EMOTIONS:
        raise UploadRejected(f"The expected emotion must be one of {', '.join(ml.EMOTIONS)}.")
    labels = {"collection": collection, "expected_emotion": expected_emotion or ""}
    size = uploads.check_size(uploaded_file)
    # What the content is decides, never the name: an image called clip.mp4 is analysed as a photo.
    if not uploads.is_image(uploaded_file):
        return _create_clip(user, uploaded_file, name, size, sample_fps, keep, labels)
    image, source_format = uploads.read_photo(uploaded_file, size)
    stored_format = "PNG" if source_format == "PNG" else "JPEG"
    media = Media(
        user=user,
        kind=Media.Kind.PHOTO,
        original_name=Path(name).name[:255],
        content_type=f"image/{stored_format.lower()}",
        width=image.width,
        height=image.height,
        **labels,
    )
    retention.apply_to_new_item(media, keep)
    body = encode(image, stored_format)
    media.bytes = len(body)
    extension = "png" if stored_format == "PNG" else "jpg"

    def store():
        media.file.save(f"photo.{extension}", ContentFile(body), save=False)
        media.thumbnail.save("thumb.jpg", ContentFile(thumbnail_jpeg(image)), save=False)

    return _save_and_queue(media, store)


def _create_clip(user, uploaded_file, name: str, size: int, sample_fps: float | None, keep: str, labels) -> Media:
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
        **labels,
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


_UNCHANGED = object()


def update_media(media: Media, *, expected_emotion: str | None = None, collection=_UNCHANGED) -> Media:
    """Change an item's label (``expected_emotion``, "" for none) or move it into ``collection`` (one of
    the owner's, checked by the caller; None takes it out). Both collections note the change."""
    fields = []
    if expected_emotion is not None:
        if expected_emotion and expected_emotion not in ml.EMOTIONS:
            raise ValueError(f"The expected emotion must be one of {', '.join(ml.EMOTIONS)}.")
        media.expected_emotion = expected_emotion
        fields.append("expected_emotion")
    touched = set()
    if collection is not _UNCHANGED:
        new_id = collection.pk if collection is not None else None
        if new_id != media.collection_id:
            touched = {media.collection_id, new_id} - {None}
            media.collection_id = new_id
            fields.append("collection")
    with transaction.atomic():
        if fields:
            media.save(update_fields=fields)
        if touched:
            collection_model().objects.filter(pk__in=touched).update(updated_at=timezone.now())
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


def wait_until_final(media_id, timeout_s: float) -> Media | None:
    """The item once its analysis has ended (done, failed or cancelled) within ``timeout_s``, else None
    (also when it was deleted meanwhile). The worker does the work; this only reads its row."""
    deadline = time.monotonic() + timeout_s
    # Short first waits (a photo takes a fraction of a second), growing so that a long wait reads the
    # row a few times a second, not hundreds.
    pause = 0.02
    while True:
        status = Media.objects.filter(pk=media_id).values_list("status", flat=True).first()
        if status is None:
            return None
        if status in Media.FINAL_STATES:
            return Media.objects.select_related("annotated_copy", "anonymized_copy").with_photo_faces().get(pk=media_id)
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        time.sleep(min(pause, left))
        pause = min(pause * 1.5, 0.25)


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
