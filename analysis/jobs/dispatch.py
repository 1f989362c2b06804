"""The one place tasks are sent from: by name, through the Celery app, with each task's time limits.

Nothing here imports analysis.tasks (the worker's module): the web process, the admin and the
sweeper send a name and ids, and only the worker knows the function behind the name. Jobs are sent
once the current transaction commits, so the worker always finds the row it is given.
"""

import base64
import logging

from django.conf import settings
from django.db import transaction

from analysis.jobs import limits
from fer_site.celery import app

logger = logging.getLogger(__name__)

ANALYZE_MEDIA = "analysis.tasks.analyze_media"
ANNOTATE_CLIP = "analysis.tasks.annotate_clip"
ANONYMIZE_MEDIA = "analysis.tasks.anonymize_media"
EXPORT_ACCOUNT = "analysis.tasks.export_account"
SWEEP_STALE_JOBS = "analysis.tasks.sweep_stale_jobs"
SWEEP_PRIVACY = "analysis.tasks.sweep_privacy"
ANALYZE_LIVE_FRAME = "analysis.tasks.analyze_live_frame"
DELIVER_WEBHOOK = "analysis.tasks.deliver_webhook"

# A countdown longer than this is not left to the broker (Redis hands an unacknowledged message out
# again after its visibility timeout): the sweeper sends such a retry when it is due.
MAX_COUNTDOWN_S = 600

# What the broker's message headers and the worker's events show instead of a live frame's bytes.
FRAME_ARGSREPR = "('<live frame>',)"


def time_limit_s(task_name: str, *, clip: bool = False) -> int:
    """The hard time limit of one run of ``task_name`` (a clip may take many minutes)."""
    if task_name in (ANNOTATE_CLIP, EXPORT_ACCOUNT) or (task_name in (ANALYZE_MEDIA, ANONYMIZE_MEDIA) and clip):
        # Kept above the decoder's own budget (FER_VIDEO_MAX_DECODE_SECONDS), so the budget trips first.
        return settings.FER_VIDEO_TASK_TIME_LIMIT
    if task_name == DELIVER_WEBHOOK:
        # The request's own deadline, and room to record the attempt after it.
        return max(limits.MIN_TIME_LIMIT_S, int(settings.FER_WEBHOOK_TIMEOUT_S) + 20)
    return settings.FER_TASK_TIME_LIMIT


def decode_budget_s() -> int:
    """The clip decoder's wall-clock budget: FER_VIDEO_MAX_DECODE_SECONDS, ending before the soft limit
    of a clip's task, so that the budget (which keeps the rows and says why) trips first."""
    return limits.decode_budget_s(settings.FER_VIDEO_MAX_DECODE_SECONDS, time_limit_s(ANALYZE_MEDIA, clip=True))


def _send_after_commit(task_name: str, job_id, limit_s: int, **options) -> None:
    args = [str(job_id)]
    # The soft limit comes before the hard one, so the task can store why it stopped.
    soft_s = limits.soft_limit_s(limit_s)

    def send():
        try:
            # ignore_result: nothing reads a job's result (the row holds it). Without it, each send also
            # subscribes to the result backend, which, with Redis down, retried for 19 s before failing:
            # every upload during an outage held its web thread that long.
            app.send_task(
                task_name, args=args, time_limit=limit_s, soft_time_limit=soft_s, ignore_result=True, **options
            )
        except Exception:
            # The broker is unreachable. The row is committed, queued, with its files: the upload (or
            # request) is still accepted, and the sweeper sends the job again once it has waited
            # FER_JOB_QUEUED_SECONDS. Raising here, after the commit, would answer 500 for a stored item.
            logger.exception("Could not send %s for %s; the sweeper will send it again", task_name, job_id)

    transaction.on_commit(send)


def _is_clip(media) -> bool:
    # Media.Kind.VIDEO, by value: the jobs package imports no model of the packages above it.
    return media.kind == "video"


def analyze_media(media) -> None:
    """Queue the analysis of ``media`` (a Media) once the current transaction commits."""
    _send_after_commit(ANALYZE_MEDIA, media.pk, time_limit_s(ANALYZE_MEDIA, clip=_is_clip(media)))


def annotate_clip(media_id) -> None:
    """Queue the making of a clip's annotated copy once the current transaction commits."""
    _send_after_commit(ANNOTATE_CLIP, media_id, time_limit_s(ANNOTATE_CLIP))


def anonymize_media(media) -> None:
    """Queue the making of an item's blurred copy once the current transaction commits."""
    _send_after_commit(ANONYMIZE_MEDIA, media.pk, time_limit_s(ANONYMIZE_MEDIA, clip=_is_clip(media)))


def export_account(export_id) -> None:
    """Queue the building of an account export once the current transaction commits."""
    _send_after_commit(EXPORT_ACCOUNT, export_id, time_limit_s(EXPORT_ACCOUNT))


def deliver_webhook(message_id, countdown_s: float = 0) -> None:
    """Queue an attempt at sending a webhook message (queue ``webhooks``) once the transaction commits."""
    options = {"countdown": countdown_s} if countdown_s > 0 else {}
    _send_after_commit(DELIVER_WEBHOOK, message_id, time_limit_s(DELIVER_WEBHOOK), **options)


def analyze_live_frame(data: bytes, deadline_s: float):
    """Send one live frame's bytes now (no row: nothing about it is stored); its AsyncResult.

    The broker's copy is useless after the deadline: a worker that gets it later drops it unread.
    """
    return app.send_task(
        ANALYZE_LIVE_FRAME,
        args=[base64.b64encode(data).decode("ascii")],
        expires=deadline_s,
        argsrepr=FRAME_ARGSREPR,
        kwargsrepr="{}",
    )
