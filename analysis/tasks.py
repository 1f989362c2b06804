"""Celery tasks: thin wrappers that pass ids to analysis.services."""

import base64

from celery import shared_task
from celery.exceptions import Ignore

from analysis import live, services


@shared_task(name="analysis.tasks.analyze_media")
def analyze_media_task(media_id: str) -> None:
    """Analyse one uploaded item (re-delivery is harmless: the service claims the row first)."""
    services.analyze_media(media_id)


@shared_task(name="analysis.tasks.sweep_stale_jobs")
def sweep_stale_jobs() -> dict:
    """Re-queue or fail jobs whose worker stopped sending heartbeats (run by celery beat)."""
    return services.sweep_stale_jobs()


@shared_task(name="analysis.tasks.analyze_live_frame", bind=True, ignore_result=False, acks_late=False)
def analyze_live_frame(self, frame_b64: str) -> dict:
    """Faces in one live camera frame; the web request waits for this result until its deadline.

    acks_late is off: a frame re-delivered after its worker died would be past its deadline anyway.
    """
    reply = live.analyze_frame(base64.b64decode(frame_b64))
    if live.is_past(self.request.expires):
        # Nobody waits any more: Ignore stores no result.
        raise Ignore()
    return reply


@shared_task(name="analysis.tasks.annotate_clip")
def annotate_clip_task(media_id: str) -> None:
    """Make the annotated MP4 of one clip (asked for from its page or the API)."""
    services.make_annotated(media_id)
