"""Uploaded media, the faces found in them, and the job state of their analysis."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

import ml


def media_upload_to(instance: "Media", filename: str) -> str:
    """A per-user folder and a name from the item's random id; the client's name is never used."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"users/{instance.user_id}/{instance.pk.hex}.{extension}"


def thumbnail_upload_to(instance: "Media", filename: str) -> str:
    return f"users/{instance.user_id}/thumbs/{instance.pk.hex}.jpg"


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
        return reverse("files:original", args=[self.pk])

    def thumbnail_url(self) -> str:
        return reverse("files:thumbnail", args=[self.pk]) if self.thumbnail else ""

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


@receiver(post_delete, sender=Media)
def _delete_files(sender, instance: Media, **kwargs):
    # However a row goes (the API, the admin, a cascade from the user), its files go with it, but only
    # once the deletion is committed: a rolled-back delete must not leave a row without its file.
    names = [f.name for f in (instance.file, instance.thumbnail) if f]
    storage = instance.file.storage

    def delete():
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete)
