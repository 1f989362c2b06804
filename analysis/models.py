"""Uploaded media, the faces found in them, and the job state of their analysis."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Greatest
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

import ml
from ml.calibration import served_threshold


def media_upload_to(instance: "Media", filename: str) -> str:
    """A per-user folder and a name from the item's random id; the client's name is never used."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"users/{instance.user_id}/{instance.pk.hex}.{extension}"


def thumbnail_upload_to(instance: "Media", filename: str) -> str:
    return f"users/{instance.user_id}/thumbs/{instance.pk.hex}.jpg"


def playable_upload_to(instance: "Media", filename: str) -> str:
    return f"users/{instance.user_id}/clips/{instance.pk.hex}.mp4"


def annotated_upload_to(instance: "Media", filename: str) -> str:
    return f"users/{instance.user_id}/clips/{instance.pk.hex}-annotated.mp4"


class MediaQuerySet(models.QuerySet):
    def for_user(self, user) -> "MediaQuerySet":
        """The one way per-user reads start: another user's item is then simply not found (404)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(user=user)


class Media(models.Model):
    class Kind(models.TextChoices):
        PHOTO = "photo"
        VIDEO = "video"
        LIVE = "live"

    class Status(models.TextChoices):
        QUEUED = "queued"
        PROCESSING = "processing"
        DONE = "done"
        FAILED = "failed"
        CANCELLED = "cancelled"

    FINAL_STATES = frozenset({Status.DONE, Status.FAILED, Status.CANCELLED})

    # Random, so an id says nothing about how many items exist or whose they are.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="media")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.PHOTO)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED, db_index=True)

    file = models.FileField(upload_to=media_upload_to, max_length=200)
    thumbnail = models.FileField(upload_to=thumbnail_upload_to, max_length=200, blank=True)
    original_name = models.CharField(max_length=255, blank=True, help_text="As the client sent it; data only.")
    content_type = models.CharField(max_length=50, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    bytes = models.PositiveBigIntegerField(null=True, blank=True, help_text="Size of the stored file.")

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Refreshed while a worker holds the job; the sweeper re-queues a job whose heartbeat went stale.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    progress = models.FloatField(default=0.0)
    error = models.TextField(blank=True)

    face_count = models.PositiveIntegerField(null=True, blank=True)
    dominant_emotion = models.CharField(max_length=10, blank=True, db_index=True)
    model_version = models.CharField(max_length=100, blank=True)
    timings = models.JSONField(default=dict, blank=True)

    # Clips only (kind video). Container metadata as probed at upload: -1 where it does not say.
    duration_ms = models.IntegerField(null=True, blank=True)
    fps = models.FloatField(null=True, blank=True)
    frame_count = models.IntegerField(null=True, blank=True)
    sample_fps = models.FloatField(null=True, blank=True, help_text="Frames analysed per second; 0: every frame.")
    people = models.PositiveIntegerField(null=True, blank=True, help_text="Tracks found in the clip.")
    tracks = models.JSONField(default=list, blank=True, help_text="ml.video.Summary.tracks()")
    # True when the analysis was cancelled part-way: the detections stored cover the clip's start only.
    partial = models.BooleanField(default=False)
    playable = models.FileField(upload_to=playable_upload_to, max_length=200, blank=True)
    annotated = models.FileField(upload_to=annotated_upload_to, max_length=200, blank=True)
    annotated_status = models.CharField(
        max_length=12, blank=True, help_text="'' (not asked), queued, processing, done, failed"
    )

    objects = MediaQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "media"
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self):
        return f"{self.kind} {self.pk} ({self.status})"

    @property
    def is_final(self) -> bool:
        return self.status in self.FINAL_STATES

    def original_url(self) -> str:
        return reverse("files:original", args=[self.pk]) if self.file else ""

    def thumbnail_url(self) -> str:
        return reverse("files:thumbnail", args=[self.pk]) if self.thumbnail else ""

    def playable_url(self) -> str:
        return reverse("files:playable", args=[self.pk]) if self.playable else ""

    def annotated_url(self) -> str:
        return reverse("files:annotated", args=[self.pk]) if self.annotated else ""

    def request_cancel(self) -> bool:
        """Cancel a queued or running analysis; False when it had finished already.

        A running worker sees the status at its next progress report, stops, and keeps what it
        stored so far, so the result is marked partial.
        """
        updated = Media.objects.filter(pk=self.pk, status__in=[self.Status.QUEUED, self.Status.PROCESSING]).update(
            status=self.Status.CANCELLED, partial=True, finished_at=timezone.now()
        )
        self.refresh_from_db(fields=["status", "partial", "finished_at", "progress"])
        return updated == 1

    def report_progress(self, fraction: float) -> bool:
        """Store the fraction done (0..1); False when the job is no longer ours (cancelled, deleted)."""
        fields = {"heartbeat_at": timezone.now()}
        if fraction >= 0:
            # Below 1 until the results are stored (1.0 means done), and never backwards from the
            # mark the claim set.
            fields["progress"] = Greatest(F("progress"), Value(min(max(fraction, 0.0), 0.99)))
        return Media.objects.filter(pk=self.pk, status=self.Status.PROCESSING).update(**fields) == 1

    def store_clip_summary(self, clip: dict, tracks: list[dict], *, finish: bool, model_version: str, timings: dict):
        """Store a clip's summary; with ``finish`` also mark it done. False when it is gone.

        A clip cancelled meanwhile keeps its status but gets the summary of what was analysed.
        """
        fields = {
            "people": clip["people"],
            "face_count": clip["people"],
            "dominant_emotion": clip["dominant_emotion"],
            "tracks": tracks,
            "model_version": model_version,
            "timings": timings,
        }
        with transaction.atomic():
            current = Media.objects.select_for_update().filter(pk=self.pk).first()
            if current is None:
                return False
            if finish and not current.is_final:
                fields.update(status=self.Status.DONE, progress=1.0, error="", finished_at=timezone.now())
            Media.objects.filter(pk=self.pk).update(**fields)
        self.refresh_from_db()
        return True

    def mark_processing(self) -> bool:
        """Claim the job for this worker; False when it is finished or another live worker holds it.

        A conditional UPDATE is the claim, so two deliveries of the same task cannot both win. A job
        still marked processing can be taken over only once its heartbeat is stale (its worker died).
        """
        now = timezone.now()
        stale = now - timedelta(seconds=settings.FER_JOB_STALE_SECONDS)
        claimable = Q(status=self.Status.QUEUED) | Q(status=self.Status.PROCESSING, heartbeat_at__lt=stale)
        claimed = Media.objects.filter(claimable, pk=self.pk, attempts__lt=settings.FER_JOB_MAX_ATTEMPTS).update(
            status=self.Status.PROCESSING,
            started_at=now,
            heartbeat_at=now,
            attempts=F("attempts") + 1,
            progress=0.1,
            error="",
        )
        if claimed != 1:
            return False
        self.refresh_from_db(fields=["status", "started_at", "heartbeat_at", "attempts", "progress", "error"])
        return True

    def mark_done(self, faces, *, model_version: str, timings: dict) -> bool:
        """Store the faces and the summary; False when the item was deleted or finished meanwhile.

        ``faces`` are ml.pipeline.Face objects. The row is locked so that a concurrent delete or a
        second worker that took over a stale job cannot interleave with the write.
        """
        with transaction.atomic():
            current = Media.objects.select_for_update().filter(pk=self.pk).first()
            if current is None or current.is_final:
                return False
            # A previous attempt that died after writing faces must not leave duplicates.
            self.faces.all().delete()
            Face.objects.bulk_create(
                Face(
                    media=self,
                    x=face.box[0],
                    y=face.box[1],
                    w=face.box[2],
                    h=face.box[3],
                    probabilities=face.probabilities,
                    emotion=face.emotion,
                    confidence=face.confidence,
                )
                for face in faces
            )
            self.status = self.Status.DONE
            self.progress = 1.0
            self.error = ""
            self.finished_at = timezone.now()
            self.face_count = len(faces)
            self.dominant_emotion = dominant_emotion(faces)
            self.model_version = model_version
            self.timings = timings
            self.save(
                update_fields=[
                    "status",
                    "progress",
                    "error",
                    "finished_at",
                    "face_count",
                    "dominant_emotion",
                    "model_version",
                    "timings",
                ]
            )
        return True

    def mark_failed(self, message: str) -> bool:
        """Record a failure the user can read; False when the item is gone or already finished."""
        updated = (
            Media.objects.filter(pk=self.pk)
            .exclude(status__in=self.FINAL_STATES)
            .update(status=self.Status.FAILED, error=message, finished_at=timezone.now(), progress=1.0)
        )
        if updated:
            self.refresh_from_db(fields=["status", "error", "finished_at", "progress"])
        return updated == 1


def dominant_emotion(faces) -> str:
    """The emotion with the largest summed probability over all faces; "" when there is no face."""
    if not faces:
        return ""
    totals = {name: sum(face.probabilities[name] for face in faces) for name in ml.EMOTIONS}
    return max(totals, key=totals.get)


class Face(models.Model):
    media = models.ForeignKey(Media, on_delete=models.CASCADE, related_name="faces")
    # Box in the stored (upright) image's pixels.
    x = models.PositiveIntegerField()
    y = models.PositiveIntegerField()
    w = models.PositiveIntegerField()
    h = models.PositiveIntegerField()
    probabilities = models.JSONField(help_text="The 7 emotions of ml.EMOTIONS, summing to 1.")
    emotion = models.CharField(max_length=10, db_index=True)
    confidence = models.FloatField()

    class Meta:
        ordering = ["media", "x", "y"]

    def __str__(self):
        return f"{self.emotion} ({self.confidence:.0%}) at {self.box}"

    @property
    def box(self) -> list[int]:
        return [self.x, self.y, self.w, self.h]

    @property
    def uncertain(self) -> bool:
        """The top class is as likely wrong as right (ml.calibration's threshold, chosen on validation)."""
        return self.confidence < served_threshold()


class Detection(models.Model):
    """One row of a clip's analysis: a sampled frame and a face, or a sampled frame with no face.

    The fields are ml.video.ROW_FIELDS, in the same units (milliseconds, the clip's pixels).
    """

    media = models.ForeignKey(Media, on_delete=models.CASCADE, related_name="detections")
    frame = models.PositiveIntegerField()
    timestamp_ms = models.PositiveIntegerField()
    track = models.PositiveIntegerField(null=True, blank=True, help_text="None: no face in this frame.")
    box = models.JSONField(null=True, blank=True, help_text="[x, y, w, h] in the clip's pixels.")
    probabilities = models.JSONField(null=True, blank=True, help_text="The 7 emotions of ml.EMOTIONS.")
    emotion = models.CharField(max_length=10, blank=True)

    class Meta:
        ordering = ["media", "frame", "track"]
        indexes = [models.Index(fields=["media", "frame"])]

    def __str__(self):
        return f"frame {self.frame} track {self.track}: {self.emotion or 'no face'}"

    @property
    def uncertain(self) -> bool | None:
        """As Face.uncertain; None for a frame without a face."""
        if not self.probabilities:
            return None
        return self.probabilities.get(self.emotion, 0.0) < served_threshold()


@receiver(post_delete, sender=Media)
def _delete_files(sender, instance: Media, **kwargs):
    # However a row goes (the API, the admin, a cascade from the user), its files go with it, but only
    # once the deletion is committed: a rolled-back delete must not leave a row without its file.
    # A deferred field (a delete through .only()) is not read back from a row that is gone.
    deferred = instance.get_deferred_fields()
    fields = [
        getattr(instance, name) for name in ("file", "thumbnail", "playable", "annotated") if name not in deferred
    ]
    names = [f.name for f in fields if f]
    storage = instance.file.storage

    def delete():
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete)
