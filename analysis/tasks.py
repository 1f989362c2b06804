"""Celery tasks: thin wrappers that pass ids to the worker-side services.

This is the only module that imports the worker side (analysis.media.analyses, .annotating, .anonymizing,
analysis.privacy.account_export and .sweep, analysis.jobs.sweeper and .worker, analysis.live.worker,
analysis.webhooks.delivery), and nothing imports it: everything else sends tasks by name through
analysis.jobs.dispatch, whose names these are. Each task keeps its explicit name, so moving a module
never renames a task that may be waiting in a queue.
"""

import base64

from celery import shared_task
from celery.exceptions import Ignore

from analysis.jobs import dispatch, sweeper
from analysis.jobs import worker as _worker_hooks  # noqa: F401 (connects the worker's start-up hooks)
from analysis.live import worker as live_frames
from analysis.media import analyses, annotating, anonymizing
from analysis.privacy import account_export, sweep
from analysis.webhooks import delivery as webhook_delivery


@shared_task(name=dispatch.ANALYZE_MEDIA)
def analyze_media_task(media_id: str) -> None:
    """Analyse one uploaded item (re-delivery is harmless: the service claims the row first)."""
    analyses.analyze_media(media_id)


@shared_task(name=dispatch.SWEEP_STALE_JOBS)
def sweep_stale_jobs() -> dict:
    """Re-queue or fail jobs whose worker stopped sending heartbeats (run by celery beat)."""
    return sweeper.sweep_stale_jobs()


@shared_task(name=dispatch.SWEEP_PRIVACY)
def sweep_privacy() -> dict:
    """Delete media past its retention, expired exports and old activity (run by celery beat)."""
    return sweep.sweep_privacy()


@shared_task(name=dispatch.ANALYZE_LIVE_FRAME, bind=True, ignore_result=False, acks_late=False)
def analyze_live_frame(self, frame_b64: str) -> dict:
    """Faces in one live camera frame; the web request waits for this result until its deadline.

    acks_late is off: a frame re-delivered after its worker died would be past its deadline anyway.
    """
    reply = live_frames.analyze_frame(base64.b64decode(frame_b64))
    if live_frames.is_past(self.request.expires):
        # Nobody waits any more: Ignore stores no result.
        raise Ignore()
    return reply


@shared_task(name=dispatch.ANNOTATE_CLIP)
def annotate_clip_task(media_id: str) -> None:
    """Make the annotated MP4 of one clip (asked for from its page or the API)."""
    annotating.make_annotated(media_id)


@shared_task(name=dispatch.DELIVER_WEBHOOK)
def deliver_webhook(message_id: str) -> None:
    """One attempt at sending a webhook message (queue ``webhooks``; the service claims it first)."""
    webhook_delivery.deliver(message_id)


@shared_task(name=dispatch.ANONYMIZE_MEDIA)
def anonymize_media_task(media_id: str) -> None:
    """Make the blurred copy of one photo or clip (asked for from its page or the API)."""
    anonymizing.make_anonymized(media_id)


@shared_task(name=dispatch.EXPORT_ACCOUNT)
def export_account_task(export_id: str) -> None:
    """Build one user's export ZIP (asked for from the profile page or the API)."""
    account_export.make_export(export_id)
