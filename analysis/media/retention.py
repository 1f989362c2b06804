"""Retention (issue 17): an item's media (original, thumbnail, playable and made copies) deleted while
its results (detections, summary, tracks) stay, when its analysis ends (``results_only``) or N days
after its upload (``days:N``, by the sweeper). Web side and worker side alike.

The one hook into the job lifecycle is analysis.jobs.job_finished: every way an analysis ends (done,
failed, cancelled, given up by the sweeper after a worker died) sends it once, inside the transaction
that ended it; the files go once that transaction commits.
"""

import logging

from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from analysis.jobs import storage
from analysis.jobs.lifecycle import FINAL_STATES, job_finished
from analysis.media.keep_media import RESULTS_ONLY, PrivacySettings, media_deadline, parse_keep_media
from analysis.media.models import AnnotatedCopy, AnonymizedCopy, Media, annotated_name

logger = logging.getLogger(__name__)

# Items whose media a sweep deletes at most; the next sweep takes the rest.
SWEEP_BATCH = 500


def keep_media_for_upload(user, override=None) -> str:
    """The retention an upload gets: its own ``keep_media`` when given (validated), else its owner's."""
    if override:
        return parse_keep_media(override)
    return PrivacySettings.objects.keep_media_of(user)


def apply_to_new_item(media: Media, keep_media: str) -> None:
    """Set an unsaved item's retention fields from ``keep_media`` (canonical)."""
    media.keep_media = keep_media
    media.media_expires_at = media_deadline(keep_media, media.created_at)


def discard_media(media_id) -> bool:
    """Delete an item's stored media, keeping its results; False when the item is gone."""
    with transaction.atomic():
        media = Media.objects.select_for_update().filter(pk=media_id).first()
        if media is None:
            return False
        fields = (media.file, media.thumbnail, media.playable)
        stored = [(field.storage, field.name) for field in fields if field]
        if media.kind == Media.Kind.VIDEO:
            # By its one name, as the item's own deletion does: a worker may be about to store it.
            stored.append((AnnotatedCopy.file.field.storage, annotated_name(media.user_id, media.pk)))
        # The copies' rows go too (their post_delete handlers delete their files after the commit):
        # a copy cannot be made again without the original.
        AnnotatedCopy.objects.filter(media=media).delete()
        AnonymizedCopy.objects.filter(media=media).delete()
        Media.objects.filter(pk=media.pk).update(
            file="",
            thumbnail="",
            playable="",
            media_expires_at=None,
            media_deleted_at=media.media_deleted_at or timezone.now(),
        )
        storage.delete_after_commit(stored)
    logger.info("Retention deleted the media of item %s (keep_media=%s)", media.pk, media.keep_media)
    return True


def expired_media_ids(limit: int = SWEEP_BATCH) -> list:
    """Items whose ``days:N`` ran out, analysis finished, media not yet deleted."""
    due = Media.objects.filter(
        media_expires_at__lte=timezone.now(), media_deleted_at=None, status__in=list(FINAL_STATES)
    )
    return list(due.order_by("media_expires_at").values_list("pk", flat=True)[:limit])


def discard_expired_media() -> int:
    """Delete the media of every item whose ``days:N`` ran out; how many items."""
    return sum(discard_media(pk) for pk in expired_media_ids())


@receiver(job_finished, dispatch_uid="analysis.retention")
def _analysis_finished(sender, job, **kwargs) -> None:
    if sender is Media and job.keep_media == RESULTS_ONLY:
        media_id = job.pk
        # After the commit: the worker's results are stored first, and a rolled-back ending keeps the media.
        transaction.on_commit(lambda: discard_media(media_id))
