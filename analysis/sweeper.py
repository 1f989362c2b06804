"""The periodic sweeper: jobs whose worker went silent are sent again, or failed once out of attempts."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from analysis import dispatch
from analysis.models import Media

logger = logging.getLogger(__name__)


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
                dispatch.analyze_media(media)
        counts["requeued"] += requeued
    if any(counts.values()):
        logger.warning("Swept stale jobs: %s", counts)
    return counts
