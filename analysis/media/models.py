"""Uploaded media and their jobs: the analysis, the annotated copy and the blurred copy. The faces found
in them are ``analysis.media.results.Detection``.

Each is an analysis.jobs.lifecycle.Job: one lifecycle (claim, heartbeat, attempts, done/failed, swept
when stale).
"""

import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

import ml
from analysis.jobs import dispatch, storage
from analysis.jobs.lifecycle import CopyJob, Job, JobQuerySet, JobStatus
from analysis.jobs.storage import user_folder
from analysis.media.keep_media import ALWAYS
from analysis.media.results import Detection
from ml.video_io import VideoInfo


def media_upload_to(instance: "Media", filename: str) -> str:
    """A per-user folder and a name from the item's random id; the client's name is never used."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"{user_folder(instance.user_id)}/{instance.pk.hex}.{extension}"


def thumbnail_upload_to(instance: "Media", filename: str) -> str:
    return f"{user_folder(instance.user_id)}/thumbs/{instance.pk.hex}.jpg"


def playable_upload_to(instance: "Media", filename: str) -> str:
    return f"{user_folder(instance.user_id)}/clips/{instance.pk.hex}.mp4"


def annotated_name(user_id, media_id: uuid.UUID) -> str:
    """The one name of a clip's annotated copy (saved with storage.save_replacing, so never suffixed)."""
    return f"{user_folder(user_id)}/clips/{media_id.hex}-annotated.mp4"


def annotated_upload_to(instance: "AnnotatedCopy", filename: str) -> str:
    return annotated_name(instance.media.user_id, instance.media_id)


class MediaQuerySet(JobQuerySet):
    def for_user(self, user) -> "MediaQuerySet":
        """The one way per-user reads start: another user's item is then simply not found (404)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(user=user)

    def with_photo_faces(self) -> "MediaQuerySet":
        """Prefetch the photos' faces (Media.photo_faces) in one query; a clip's rows stay unread."""
        faces = Detection.objects.filter(media__kind=Media.Kind.PHOTO).exclude(track=None)
        return self.prefetch_related(models.Prefetch("detections", queryset=faces, to_attr="_photo_faces"))


class Media(Job):
    """An uploaded photo or clip, or a saved live recording; its job is the analysis."""

    class Kind(models.TextChoices):
        PHOTO = "photo"
        VIDEO = "video"
        LIVE = "live"

    NOUN = "analysis"
    CLAIM_PROGRESS = 0.1
    STATE_FIELDS = (*Job.STATE_FIELDS, "kind")

    # Random, so an id says nothing about how many items exist or whose they are.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="media")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.PHOTO)

    file = models.FileField(upload_to=media_upload_to, max_length=200)
    thumbnail = models.FileField(upload_to=thumbnail_upload_to, max_length=200, blank=True)
    original_name = models.CharField(max_length=255, blank=True, help_text="As the client sent it; data only.")
    content_type = models.CharField(max_length=50, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    bytes = models.PositiveBigIntegerField(null=True, blank=True, help_text="Size of the stored file.")

    created_at = models.DateTimeField(default=timezone.now, db_index=True)

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
    # The upload's probe, handed to the worker so that it need not open the file to learn it again.
    probe = models.JSONField(default=dict, blank=True, help_text="ml.video_io.VideoInfo as probed at upload.")
    # Retention (analysis.media.retention): the owner's choice when uploading, when the sweeper deletes the media
    # (days:N), and when it was deleted; the results stay.
    keep_media = models.CharField(max_length=12, default=ALWAYS)
    media_expires_at = models.DateTimeField(null=True, blank=True, db_index=True)
    media_deleted_at = models.DateTimeField(null=True, blank=True)
    # Collections (issue 26): the one study an item belongs to, if any (analysis.collections, a layer
    # above, hence the model named by its label); deleting the collection keeps the item unless asked.
    collection = models.ForeignKey(
        "analysis.Collection", null=True, blank=True, on_delete=models.SET_NULL, related_name="items"
    )
    # The label the owner already has (one of ml.EMOTIONS, "" when none), compared with the prediction.
    expected_emotion = models.CharField(max_length=10, blank=True, choices=[(e, e) for e in ml.EMOTIONS])

    objects = MediaQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "media"
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self):
        return f"{self.kind} {self.pk} ({self.status})"

    def enqueue(self) -> None:
        dispatch.analyze_media(self)

    def video_info(self) -> VideoInfo | None:
        """The clip's probe as stored at upload; None for a photo, or a clip stored before probes were."""
        return VideoInfo(**self.probe) if self.probe else None

    @property
    def photo_faces(self) -> list["Detection"]:
        """A photo's faces, numbered (track) left to right; [] for a clip or a recording."""
        if self.kind != self.Kind.PHOTO:
            return []
        if hasattr(self, "_photo_faces"):  # MediaQuerySet.with_photo_faces
            return self._photo_faces
        return list(self.detections.faces())

    @property
    def duration_label(self) -> str:
        """A clip's or recording's length as m:ss (h:mm:ss past an hour); "" when unknown or a photo."""
        if self.kind == self.Kind.PHOTO or not self.duration_ms or self.duration_ms < 0:
            return ""
        minutes, seconds = divmod(round(self.duration_ms / 1000), 60)
        hours, minutes = divmod(minutes, 60)
        return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"

    @property
    def count_noun(self) -> str:
        """What face_count counts: faces in a photo, people (tracks) in a clip or a recording."""
        return "face" if self.kind == self.Kind.PHOTO else "person"

    def download_name(self, kind: str, extension: str) -> str:
        """What a download of this item is saved as: ``<original name>-<kind>.<extension>``
        (party.mov's detections: party-detections.csv); the item's id when it has no name."""
        stem = Path(self.original_name).stem if self.original_name else ""
        # No path separators or control characters in a name a browser will save.
        stem = "".join(c for c in stem if c.isprintable() and c not in '/\\"').strip() or str(self.pk)
        return f"{stem}-{kind}.{extension}"

    @property
    def media_kept(self) -> bool:
        """False once retention deleted the original, thumbnail and copies (the results stay)."""
        return self.media_deleted_at is None

    def original_url(self) -> str:
        return reverse("files:original", args=[self.pk]) if self.file else ""

    def thumbnail_url(self) -> str:
        return reverse("files:thumbnail", args=[self.pk]) if self.thumbnail else ""

    def playable_url(self) -> str:
        return reverse("files:playable", args=[self.pk]) if self.playable else ""

    def _annotated_copy(self) -> "AnnotatedCopy | None":
        try:
            return self.annotated_copy
        except AnnotatedCopy.DoesNotExist:
            return None

    @property
    def annotated_status(self) -> str:
        """The annotated copy's status; "" when none was asked for."""
        copy = self._annotated_copy()
        return copy.status if copy else ""

    @property
    def annotated_file(self):
        """The finished annotated copy's file, or None."""
        copy = self._annotated_copy()
        return copy.file if copy and copy.status == self.Status.DONE and copy.file else None

    def annotated_url(self) -> str:
        return reverse("files:annotated", args=[self.pk]) if self.annotated_file else ""

    @property
    def anonymized_file(self):
        """The finished blurred copy's file (AnonymizedCopy), or None."""
        copy = AnonymizedCopy.objects.of(self)
        return copy.file if copy and copy.status == self.Status.DONE and copy.file else None

    def _failed_fields(self) -> dict:
        # A clip that failed part-way keeps the rows it stored, and says they cover part of it only.
        return {"partial": True} if self.kind == self.Kind.VIDEO and self.detections.exists() else {}

    def request_cancel(self) -> bool:
        """Cancel a queued or running analysis; False when it had finished already.

        A running worker sees the status at its next progress report, stops, and keeps what it
        stored so far, so the result is marked partial.
        """
        unfinished = Media.objects.filter(pk=self.pk, status__in=[self.Status.QUEUED, self.Status.PROCESSING])
        with transaction.atomic():
            updated = unfinished.update(status=self.Status.CANCELLED, partial=True, finished_at=timezone.now())
            self.refresh_from_db(fields=["status", "partial", "finished_at", "progress"])
            if updated:
                self._finished()
        return updated == 1

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
            current = Media.objects.select_for_update().filter(pk=self.pk).only("status").first()
            if current is None:
                return False
            finishing = finish and not current.is_final
            if finishing:
                fields.update(self._done_fields())
            Media.objects.filter(pk=self.pk).update(**fields)
            self.refresh_from_db()
            if finishing:
                self._finished()
        return True

    def mark_done(self, faces, *, model_version: str, timings: dict) -> bool:
        """Store the faces and the summary; False when the item was deleted or finished meanwhile.

        ``faces`` are ml.pipeline.Face objects, stored as the photo's detections (``Detection.photo_faces``).
        The row is locked so that a concurrent delete or a second worker that took over a stale job
        cannot interleave with the write.
        """
        with transaction.atomic():
            if not self._lock_unfinished():
                return False
            # A previous attempt that died after writing faces must not leave duplicates.
            self.detections.all().delete()
            Detection.objects.bulk_create(Detection.photo_faces(self, faces))
            self.face_count = len(faces)
            self.dominant_emotion = dominant_emotion(faces)
            self.model_version = model_version
            self.timings = timings
            self._save_done("face_count", "dominant_emotion", "model_version", "timings")
        return True

    def restart(self, *, only_from=None) -> bool:
        """Queue the analysis afresh (the admin's re-queue); the faces found before are deleted."""
        with transaction.atomic():
            restarted = super().restart(only_from=only_from)
            if restarted:
                self.detections.all().delete()
        return restarted


def collection_model() -> Any:
    """The model of Media.collection (analysis.collections.models.Collection): a layer above, named by its
    label and looked up here, never imported."""
    return Media._meta.get_field("collection").related_model


def owned_collection(user, pk):
    """``user``'s collection ``pk``, or None (another user's is not found)."""
    model = collection_model()
    try:
        return model.objects.for_user(user).filter(pk=pk).first()
    except ValidationError:  # not a UUID
        return None


def collections_of(user):
    """``user``'s collections by name (for an item's page to offer), looked up as owned_collection does."""
    return collection_model().objects.for_user(user).order_by("name")


def dominant_emotion(faces) -> str:
    """The emotion with the largest summed probability over all faces; "" when there is no face."""
    if not faces:
        return ""
    totals = {name: sum(face.probabilities[name] for face in faces) for name in ml.EMOTIONS}
    return max(totals, key=totals.get)


class AnnotatedCopy(CopyJob):
    """A clip's MP4 with its stored boxes and labels burnt in, made on request; its job is the making.

    The primary key is the clip's, so the task is sent the clip's id as for its analysis.
    """

    NOUN = "annotated copy"

    media = models.OneToOneField(Media, on_delete=models.CASCADE, primary_key=True, related_name="annotated_copy")
    file = models.FileField(upload_to=annotated_upload_to, max_length=200, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "annotated copies"

    def __str__(self):
        return f"annotated copy of {self.media_id} ({self.status})"

    def enqueue(self) -> None:
        dispatch.annotate_clip(self.pk)


def anonymized_name(user_id, media_id, kind: str) -> str:
    """The one name of an item's blurred copy: a JPEG for a photo, an MP4 for a clip (never suffixed)."""
    extension = "jpg" if kind == "photo" else "mp4"
    return f"{user_folder(user_id)}/anonymized/{media_id.hex}.{extension}"


def anonymized_upload_to(instance: "AnonymizedCopy", filename: str) -> str:
    return anonymized_name(instance.media.user_id, instance.media_id, instance.media.kind)


class AnonymizedCopyQuerySet(JobQuerySet):
    def of(self, media) -> "AnonymizedCopy | None":
        """``media``'s blurred copy, or None (read through the item's select_related when it has it)."""
        try:
            return media.anonymized_copy
        except self.model.DoesNotExist:
            return None


class AnonymizedCopy(CopyJob):
    """A photo or clip with every detected face blurred beyond recognition, made on request; its job is
    the making (analysis.media.anonymizing). The primary key is the item's."""

    NOUN = "blurred copy"
    ASK_AGAIN_FROM = (JobStatus.FAILED, JobStatus.DONE)

    media = models.OneToOneField(
        "analysis.Media", on_delete=models.CASCADE, primary_key=True, related_name="anonymized_copy"
    )
    file = models.FileField(upload_to=anonymized_upload_to, max_length=200, blank=True)
    # Only faces whose top emotion's probability is below this are blurred (None: every face).
    below_confidence = models.FloatField(null=True, blank=True)
    # Draw each face's emotion and confidence on its blurred patch.
    show_emotion = models.BooleanField(default=False)

    objects = AnonymizedCopyQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "blurred copies"

    def __str__(self):
        return f"blurred copy of {self.media_id} ({self.status})"

    def enqueue(self) -> None:
        dispatch.anonymize_media(self.media)


@receiver(post_delete, sender=AnonymizedCopy)
def _delete_anonymized_file(sender, instance: AnonymizedCopy, **kwargs):
    storage.delete_file_after_commit(instance.file)


@receiver(post_delete, sender=Media)
def _delete_files(sender, instance: Media, **kwargs):
    # However a row goes (the API, the admin, a cascade from the user), its files go with it, but only
    # once the deletion is committed: a rolled-back delete must not leave a row without its file.
    # A deferred field (a delete through .only()) is not read back from a row that is gone.
    deferred = instance.get_deferred_fields()
    fields = [getattr(instance, name) for name in ("file", "thumbnail", "playable") if name not in deferred]
    names = [(field.storage, field.name) for field in fields if field]
    if not deferred & {"user_id", "kind"} and instance.kind == Media.Kind.VIDEO:
        # By their one names (the worker saves them with storage.save_replacing, never suffixed): the
        # delete may have read the row before a worker stored the poster, the playable or annotated copy.
        names.append((AnnotatedCopy.file.field.storage, annotated_name(instance.user_id, instance.pk)))
        for field, upload_to in (("thumbnail", thumbnail_upload_to), ("playable", playable_upload_to)):
            names.append((getattr(instance, field).storage, upload_to(instance, "")))
    if not deferred & {"user_id", "kind"}:
        names.append((AnonymizedCopy.file.field.storage, anonymized_name(instance.user_id, instance.pk, instance.kind)))
    storage.delete_after_commit(names)


@receiver(post_delete, sender=AnnotatedCopy)
def _delete_annotated_file(sender, instance: AnnotatedCopy, **kwargs):
    storage.delete_file_after_commit(instance.file)
