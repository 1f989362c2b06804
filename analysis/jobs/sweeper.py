"""The periodic sweepers: jobs whose worker went silent are sent again, or failed once out of attempts;
and the privacy sweep (issue 17): media past its ``days:N``, expired exports, old activity entries and
old webhook messages."""

import logging

from django.db import transaction

from analysis import activity, dispatch, retention
from analysis.models import AnnotatedCopy, AnonymizedCopy, DataExport, Media, WebhookMessage

logger = logging.getLogger(__name__)

# Every job model, and how to send one of its jobs again (looked up when called).
JOBS = (
    (Media, lambda media: dispatch.analyze_media(media)),
    (AnnotatedCopy, lambda copy: dispatch.annotate_clip(copy.pk)),
    (AnonymizedCopy, lambda copy: dispatch.anonymize_media(copy.media)),
    (DataExport, lambda export: dispatch.export_account(export.pk)),
    # A lost attempt, one whose worker died, and a retry too far off for a broker countdown.
    (WebhookMessage, lambda message: dispatch.deliver_webhook(message.pk)),
)


def sweep_stale_jobs() -> dict:
    """Re-queue jobs whose worker went silent and fail those out of attempts; returns the counts."""
    counts = {"requeued": 0, "failed": 0}
    for model, send in JOBS:
        for job in model.objects.stale().only(*model.STATE_FIELDS):
            if job.out_of_attempts:
                counts["failed"] += job.give_up()
                continue
            with transaction.atomic():
                requeued = job.requeue_stale()
                if requeued:
                    send(job)  # once the re-queue commits
            counts["requeued"] += requeued
    if any(counts.values()):
        logger.warning("Swept stale jobs: %s", counts)
    return counts


def sweep_privacy() -> dict:
    """Delete what retention says has had its time; returns the counts."""
    counts = {
        "media": retention.discard_expired_media(),
        "exports": _delete_expired_exports(),
        "activity": activity.prune(),
        # Its attempts go with each message (on delete cascade).
        "webhook_messages": WebhookMessage.objects.past_keeping().delete()[1].get("analysis.WebhookMessage", 0),
    }
    if any(counts.values()):
        logger.info("Privacy sweep: %s", counts)
    return counts


def _delete_expired_exports() -> int:
    # One by one, so that each row's post_delete handler deletes its ZIP after the commit.
    deleted = 0
    for export in DataExport.objects.expired():
        with transaction.atomic():
            export.delete()
        deleted += 1
    return deleted
