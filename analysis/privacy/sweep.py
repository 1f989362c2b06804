"""The privacy sweep (issue 17, worker only): media past its ``days:N``, expired exports, old activity
entries, old webhook messages and the records of archive uploads that ended long ago."""

import logging

from django.db import transaction

from analysis.collections.models import ArchiveUpload
from analysis.media import retention
from analysis.privacy import activity
from analysis.privacy.models import DataExport
from analysis.webhooks.models import WebhookMessage

logger = logging.getLogger(__name__)


def sweep_privacy() -> dict:
    """Delete what retention says has had its time; returns the counts."""
    counts = {
        "media": retention.discard_expired_media(),
        "exports": _delete_expired_exports(),
        "activity": activity.prune(),
        # Its attempts go with each message (on delete cascade).
        "webhook_messages": WebhookMessage.objects.past_keeping().delete()[1].get("analysis.WebhookMessage", 0),
        "archive_uploads": ArchiveUpload.objects.past_keeping().delete()[0],
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
