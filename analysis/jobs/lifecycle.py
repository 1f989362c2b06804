"""One lifecycle for every background job (an analysis, a copy, an export, a webhook message): the model
methods that claim, beat, report, finish, fail, re-queue and restart it, and the worker's heartbeat thread.

A job's state changes only through these methods, each a conditional UPDATE (or a locked write), so
two workers, a worker and the sweeper, or a worker and the admin can never both win. Every way a job
ends sends ``job_finished`` once, inside the transaction that ended it (webhook events hang off it).
"""

import logging
import threading
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import F, Q, Value
from django.db.models.fields.files import FieldFile
from django.db.models.functions import Greatest
from django.dispatch import Signal
from django.utils import timezone

from analysis.jobs import storage

logger = logging.getLogger(__name__)


class JobStatus(models.TextChoices):
    QUEUED = "queued"
    PROCESSING = "processing"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


FINAL_STATES = frozenset({JobStatus.DONE, JobStatus.FAILED, JobStatus.CANCELLED})

# Sent with ``job`` (its final status set) by Job._finished, inside the transaction that ended it: a
# receiver's writes (analysis.webhooks.services records its events) commit, or roll back, with the ending.
job_finished = Signal()


class JobQuerySet(models.QuerySet):
    def stale(self) -> "JobQuerySet":
        """Jobs nobody works on: processing with a silent heartbeat, or queued and long forgotten."""
        now = timezone.now()
        silent = now - timedelta(seconds=settings.FER_JOB_STALE_SECONDS)
        forgotten = now - timedelta(seconds=settings.FER_JOB_QUEUED_SECONDS)
        return self.filter(
            Q(status=JobStatus.PROCESSING, heartbeat_at__lt=silent)
            | Q(status=JobStatus.QUEUED, heartbeat_at__lt=forgotten)
        )


class Job(models.Model):
    """The state of a background job; a concrete job model adds what the job makes."""

    Status = JobStatus
    FINAL_STATES = FINAL_STATES
    # How messages name the job: "The analysis did not finish after 3 attempts."
    NOUN = "job"
    # The progress a claimed job shows before its first report (the work has started).
    CLAIM_PROGRESS = 0.0
    # What the sweeper reads of each stale job.
    STATE_FIELDS = ("pk", "status", "attempts", "heartbeat_at")

    status = models.CharField(max_length=12, choices=JobStatus.choices, default=JobStatus.QUEUED, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Refreshed while a worker holds the job; the sweeper re-queues a job whose heartbeat went stale.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    progress = models.FloatField(default=0.0)
    error = models.TextField(blank=True)

    class Meta:
        abstract = True

    @property
    def is_final(self) -> bool:
        return self.status in self.FINAL_STATES

    @classmethod
    def max_attempts(cls) -> int:
        """Claims allowed per job (a webhook delivery has a cap of its own)."""
        return settings.FER_JOB_MAX_ATTEMPTS

    def _claim_filter(self) -> Q:
        """What else a claim requires (a webhook delivery: that its retry is due)."""
        return Q()

    @property
    def out_of_attempts(self) -> bool:
        """No attempt left to the sweeper: for a queued job, the re-send (which counts one, see
        requeue_stale) would leave no claim."""
        resend = 1 if self.status == JobStatus.QUEUED else 0
        return self.attempts + resend >= self.max_attempts()

    def enqueue(self) -> None:
        """Send this job's task once the current transaction commits (the sweeper re-sends with it)."""
        raise NotImplementedError

    def _finished(self) -> None:
        """Announce that the job ended (call once, inside the transaction that ended it)."""
        job_finished.send(sender=type(self), job=self)

    def _this(self) -> models.QuerySet:
        return type(self)._default_manager.filter(pk=self.pk)

    def is_gone(self) -> bool:
        """The job's row was deleted (its item or its owner deleted while a worker held it)."""
        return not self._this().exists()

    def _failed_fields(self) -> dict:
        """Fields a failure sets beside status, error and finish time (a subclass adds its own)."""
        return {}

    def mark_processing(self) -> bool:
        """Claim the job for this worker; False when it is finished or another live worker holds it.

        A conditional UPDATE is the claim, so two deliveries of the same task cannot both win. A job
        still marked processing can be taken over only once its heartbeat is stale (its worker died),
        and a job out of attempts never again.
        """
        now = timezone.now()
        stale = now - timedelta(seconds=settings.FER_JOB_STALE_SECONDS)
        claimable = Q(status=JobStatus.QUEUED) | Q(status=JobStatus.PROCESSING, heartbeat_at__lt=stale)
        claimed = (
            self._this()
            .filter(claimable, self._claim_filter(), attempts__lt=self.max_attempts())
            .update(
                status=JobStatus.PROCESSING,
                started_at=now,
                heartbeat_at=now,
                attempts=F("attempts") + 1,
                progress=self.CLAIM_PROGRESS,
                error="",
            )
        )
        if claimed != 1:
            return False
        self.refresh_from_db(fields=["status", "started_at", "heartbeat_at", "attempts", "progress", "error"])
        return True

    def beat(self) -> bool:
        """Say the worker holding the job is alive; False when the job is no longer processing."""
        return self._this().filter(status=JobStatus.PROCESSING).update(heartbeat_at=timezone.now()) == 1

    def report_progress(self, fraction: float) -> bool:
        """Store the fraction done (0..1); False when the job is no longer ours (cancelled, deleted)."""
        fields = {"heartbeat_at": timezone.now()}
        if fraction >= 0:
            # Below 1 until the results are stored (1.0 means done), and never backwards from the
            # mark the claim set.
            fields["progress"] = Greatest(F("progress"), Value(min(max(fraction, 0.0), 0.99)))
        return self._this().filter(status=JobStatus.PROCESSING).update(**fields) == 1

    def _lock_unfinished(self) -> bool:
        """Lock the job's row until the transaction ends; False when it is gone or finished.

        Call inside transaction.atomic(): a concurrent delete, or a second worker that took over a
        stale job, then cannot interleave with the results being written.
        """
        current = self._this().select_for_update().only("status").first()
        return current is not None and current.status not in self.FINAL_STATES

    def _done_fields(self) -> dict:
        return {"status": JobStatus.DONE, "progress": 1.0, "error": "", "finished_at": timezone.now()}

    def _save_done(self, *fields: str) -> None:
        """Mark the job done, saving ``fields`` (set on self already) with it; after _lock_unfinished."""
        done = self._done_fields()
        for name, value in done.items():
            setattr(self, name, value)
        self.save(update_fields=[*done, *fields])
        self._finished()

    def mark_failed(self, message: str) -> bool:
        """Record a failure the owner can read; False when the job is gone or already finished."""
        with transaction.atomic():
            updated = (
                self._this()
                .exclude(status__in=self.FINAL_STATES)
                .update(
                    status=JobStatus.FAILED,
                    error=message,
                    finished_at=timezone.now(),
                    progress=1.0,
                    **self._failed_fields(),
                )
            )
            if updated:
                self.refresh_from_db(fields=["status", "error", "finished_at", "progress", *self._failed_fields()])
                self._finished()
        return updated == 1

    def _as_seen(self) -> models.QuerySet:
        # The sweeper's writes are conditional on the state it read, so a job that just finished,
        # or was just claimed, is not overwritten.
        return self._this().filter(status=self.status, heartbeat_at=self.heartbeat_at)

    def requeue_stale(self) -> bool:
        """Put a job nobody works on back in the queue (the sweeper sends it); False if it changed.

        A job still queued is sent again as an attempt: its message was lost, or its task died before
        claiming it (a soft time limit of zero once did that to every task), and neither may loop for
        ever with its attempts at 0. A processing job's attempt was counted by its claim.
        """
        now = timezone.now()
        attempts = self.attempts + (1 if self.status == JobStatus.QUEUED else 0)
        requeued = self._as_seen().update(status=JobStatus.QUEUED, heartbeat_at=now, progress=0.0, attempts=attempts)
        if requeued:
            self.status, self.heartbeat_at, self.progress, self.attempts = JobStatus.QUEUED, now, 0.0, attempts
        return requeued == 1

    def give_up(self) -> bool:
        """Fail a stale job that used up its attempts; False if it changed since it was read."""
        with transaction.atomic():
            failed = self._as_seen().update(
                status=JobStatus.FAILED,
                error=f"The {self.NOUN} did not finish after {self.attempts} attempts.",
                finished_at=timezone.now(),
                progress=1.0,
                **self._failed_fields(),
            )
            if failed:
                self.refresh_from_db()
                self._finished()
        return failed == 1

    def restart(self, *, only_from=None) -> bool:
        """Queue the job afresh, attempts reset (the admin, or asking again after a failure).

        ``only_from``: the states it may restart from (None: any). The caller sends the task.
        """
        jobs = self._this() if only_from is None else self._this().filter(status__in=only_from)
        restarted = jobs.update(
            status=JobStatus.QUEUED,
            attempts=0,
            error="",
            progress=0.0,
            heartbeat_at=timezone.now(),
            started_at=None,
            finished_at=None,
        )
        if restarted:
            self.refresh_from_db(fields=["status", "attempts", "error", "progress", "heartbeat_at"])
        return restarted == 1


class CopyJob(Job):
    """A file made from an item on request (the annotated copy, the blurred copy): ``media`` and ``file``
    are the concrete model's, and so is ``upload_to``; this is how one is asked for and stored."""

    class Meta:
        abstract = True

    # The states from which asking again makes it afresh (a failed one; a blurred copy also a made one,
    # whose options may change).
    ASK_AGAIN_FROM: tuple = (JobStatus.FAILED,)
    file: FieldFile  # the concrete model's FileField

    @classmethod
    def ask(cls, media, **fields) -> bool:
        """Queue a copy of ``media`` (``fields`` set on it); False when one is queued or being made, or
        made and not to be made again. The caller sends the task."""
        copy, created = cls._default_manager.get_or_create(
            media=media, defaults={"heartbeat_at": timezone.now(), **fields}
        )
        if created:
            return True
        restarted = copy.restart(only_from=list(cls.ASK_AGAIN_FROM))
        if restarted and fields:
            copy._this().update(**fields)
        return restarted

    def mark_done(self, name: str, content) -> bool:
        """Store the finished file (``content``, a django File) and mark the copy done; False when the
        copy is gone or finished meanwhile (then what was written is deleted again)."""
        # Written before the row is locked, so a delete is not held up by a long write; the file is kept
        # only if the row, locked, is still there to reference it when this transaction commits. A
        # delete that read the row before (no file yet) is covered by the item's delete, by the name.
        storage.save_replacing(self.file, name, content)
        written = self.file.name or ""
        try:
            with transaction.atomic():
                done = self._lock_unfinished()
                if done:
                    self._save_done("file")
        except BaseException:
            self.file.storage.delete(written)
            raise
        if not done:
            self.file.storage.delete(written)
        return done


class heartbeat:
    """Call ``job.beat()`` from a background thread while a job runs, so the sweeper leaves it alone."""

    def __init__(self, job: Job):
        self.job = job
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        interval = max(settings.FER_JOB_STALE_SECONDS / 4, 0.5)
        try:
            while not self.stop.wait(interval):
                self.job.beat()
        finally:
            connection.close()  # this thread's own connection

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.stop.set()
        self.thread.join()


def record_failure(job: Job, exc: Exception, *, item: str, again: str, explain=None) -> None:
    """Store why ``job`` stopped, as a message for its owner; call from ``except`` (worker only).

    ``item`` names what the job read ("photo", "clip"); ``again`` what the owner can do next;
    ``explain(exc)`` the owner's message for a failure the caller expects (a damaged image), or None.
    """
    if job.is_gone():
        # Deleted while we worked (by its owner, or with their account): the rows written since fail on
        # their foreign key, and nothing is wrong.
        logger.info(
            "The %s of %s %s stopped: it was deleted meanwhile (%s)", job.NOUN, item, job.pk, type(exc).__name__
        )
        return
    expected = explain(exc) if explain is not None else None
    if isinstance(exc, FileNotFoundError):
        # The item was deleted while we worked (its files go after its row).
        reason = f"The stored {item} is missing."
    elif expected is not None:
        reason = expected
    elif isinstance(exc, SoftTimeLimitExceeded):
        logger.warning("The %s of %s %s ran past the soft time limit", job.NOUN, item, job.pk)
        reason = f"The {job.NOUN} took too long and was stopped."
    else:
        logger.exception("The %s of %s %s failed", job.NOUN, item, job.pk)
        reason = f"The {job.NOUN} failed unexpectedly; please {again}."
    job.mark_failed(reason)
