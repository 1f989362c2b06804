"""Celery tasks: thin wrappers that pass ids to analysis.services."""

from celery import shared_task

from analysis import services


@shared_task(name="analysis.tasks.analyze_media")
def analyze_media_task(media_id: str) -> None:
    """Analyse one uploaded item (re-delivery is harmless: the service claims the row first)."""
    services.analyze_media(media_id)


@shared_task(name="analysis.tasks.sweep_stale_jobs")
def sweep_stale_jobs() -> dict:
    """Re-queue or fail jobs whose worker stopped sending heartbeats (run by celery beat)."""
    return services.sweep_stale_jobs()
