"""The periodic sweeper of stale jobs: jobs whose worker went silent are sent again, or failed once out
of attempts (worker only). Every job model of the app is swept; each knows how to send itself again."""

import logging
from typing import cast

from django.apps import apps
from django.db import transaction

from analysis.jobs.lifecycle import Job, JobQuerySet

logger = logging.getLogger(__name__)


def job_models() -> list[type[Job]]:
    """Every concrete job model of the app (items, copies, exports, webhook messages)."""
    return [model for model in apps.get_app_config("analysis").get_models() if issubclass(model, Job)]


def sweep_stale_jobs() -> dict:
    """Re-queue jobs whose worker went silent and fail those out of attempts; returns the counts."""
    counts = {"requeued": 0, "failed": 0}
    for model in job_models():
        # Every job model's manager is made from a JobQuerySet.
        jobs = cast(JobQuerySet, model._default_manager.all())
        for job in jobs.stale().only(*model.STATE_FIELDS):
            if job.out_of_attempts:
                counts["failed"] += job.give_up()
                continue
            with transaction.atomic():
                requeued = job.requeue_stale()
                if requeued:
                    # A lost message, one whose worker died, or a webhook retry too far off for a
                    # broker countdown: sent once the re-queue commits.
                    job.enqueue()
            counts["requeued"] += requeued
    if any(counts.values()):
        logger.warning("Swept stale jobs: %s", counts)
    return counts
