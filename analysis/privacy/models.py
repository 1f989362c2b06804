"""The privacy controls' rows (issue 17): a user's retention choice, blurred copies, account exports and
the activity log. The two made files (a blurred copy, an export) are analysis.jobs jobs like any other.

``keep_media`` is one of ``always`` (the default), ``results_only`` (the media goes as soon as its
analysis ends; the results stay) or ``days:N`` (the media goes N days after its upload, 1 <= N <= 365).
"""

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

from analysis import storage
from analysis.jobs import CopyJob, JobQuerySet, JobStatus

ALWAYS = "always"
RESULTS_ONLY = "results_only"
DAYS_PREFIX = "days:"
MAX_DAYS = 365


class InvalidKeepMedia(ValueError):
    """A ``keep_media`` value that is none of the three; str(exc) says what is allowed."""


def parse_keep_media(value) -> str:
    """The canonical form of a ``keep_media`` value ("days:07" is "days:7"), or InvalidKeepMedia."""
    text = str(value or "").strip()
    if text in (ALWAYS, RESULTS_ONLY):
        return text
    if text.startswith(DAYS_PREFIX):
        digits = text[len(DAYS_PREFIX) :]
        # ASCII digits only: int() would also take other scripts' digits and "+7".
        if digits.isascii() and digits.isdigit() and 1 <= int(digits) <= MAX_DAYS:
            return f"{DAYS_PREFIX}{int(digits)}"
    raise InvalidKeepMedia(f'keep_media is "always", "results_only" or "days:N" with N from 1 to {MAX_DAYS}.')


def media_deadline(keep_media: str, uploaded_at: datetime) -> datetime | None:
    """When the sweeper deletes media uploaded at ``uploaded_at`` under ``keep_media``; None: never by date."""
    if keep_media.startswith(DAYS_PREFIX):
        return uploaded_at + timedelta(days=int(keep_media[len(DAYS_PREFIX) :]))
    return None


class PrivacySettingsQuerySet(models.QuerySet):
    def keep_media_of(self, user) -> str:
        """The user's retention choice; ``always`` for a user who never chose."""
        chosen = self.filter(user=user).values_list("keep_media", flat=True).first()
        return chosen or ALWAYS


class PrivacySettings(models.Model):
    """A user's privacy choices; a user without a row has the defaults."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="privacy"
    )
    keep_media = models.CharField(max_length=12, default=ALWAYS)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PrivacySettingsQuerySet.as_manager()

    class Meta:
        app_label = "analysis"
        verbose_name_plural = "privacy settings"

    def __str__(self):
        return f"privacy of user {self.user_id}: keep_media={self.keep_media}"

    @classmethod
    def set_keep_media(cls, user, value) -> str:
        """Store the user's retention choice (validated); returns it in canonical form."""
        keep_media = parse_keep_media(value)
        cls.objects.update_or_create(user=user, defaults={"keep_media": keep_media})
        return keep_media


def anonymized_name(user_id, media_id, kind: str) -> str:
    """The one name of an item's blurred copy: a JPEG for a photo, an MP4 for a clip (never suffixed)."""
    extension = "jpg" if kind == "photo" else "mp4"
    return f"{storage.user_folder(user_id)}/anonymized/{media_id.hex}.{extension}"


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
    the making (analysis.anonymizing). The primary key is the item's."""

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
        app_label = "analysis"
        verbose_name_plural = "blurred copies"

    def __str__(self):
        return f"blurred copy of {self.media_id} ({self.status})"


@receiver(post_delete, sender=AnonymizedCopy)
def _delete_anonymized_file(sender, instance: AnonymizedCopy, **kwargs):
    storage.delete_file_after_commit(instance.file)


# How long a finished export can be downloaded; then the privacy sweep deletes it.
EXPORT_VALID = timedelta(hours=24)


def export_upload_to(instance: "DataExport", filename: str) -> str:
    return f"{storage.user_folder(instance.user_id)}/exports/{instance.pk.hex}.zip"


class DataExportQuerySet(JobQuerySet):
    def for_user(self, user) -> "DataExportQuerySet":
        """The one way per-user reads start: another user's export is simply not found (404)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(user=user)

    def expired(self) -> "DataExportQuerySet":
        """Exports past their download time, and failed ones as old (nothing to download)."""
        now = timezone.now()
        return self.filter(
            models.Q(expires_at__lte=now)
            | models.Q(status__in=[JobStatus.FAILED, JobStatus.CANCELLED], finished_at__lte=now - EXPORT_VALID)
        )


class DataExport(CopyJob):
    """One ZIP of everything a user has (each item's JSON, clips' detections as CSV, optionally the
    media), made by a task (analysis.exporting) and downloadable for EXPORT_VALID."""

    NOUN = "export"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_exports")
    include_media = models.BooleanField(default=False)
    file = models.FileField(upload_to=export_upload_to, max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)

    objects = DataExportQuerySet.as_manager()

    class Meta:
        app_label = "analysis"
        ordering = ["-created_at"]

    def __str__(self):
        return f"export {self.pk} of user {self.user_id} ({self.status})"

    def _done_fields(self) -> dict:
        return {**super()._done_fields(), "expires_at": timezone.now() + EXPORT_VALID}

    @property
    def downloadable(self) -> bool:
        return bool(
            self.status == JobStatus.DONE and self.file and self.expires_at and self.expires_at > timezone.now()
        )

    def download_url(self) -> str:
        return reverse("files:export", args=[self.pk]) if self.downloadable else ""

    def state(self) -> dict:
        """What GET /api/me/export/ answers of it."""
        return {"status": self.status, "url": self.download_url()}


@receiver(post_delete, sender=DataExport)
def _delete_export_file(sender, instance: DataExport, **kwargs):
    storage.delete_file_after_commit(instance.file)


# How long the activity log keeps an entry; the privacy sweep prunes older ones.
ACTIVITY_KEPT = timedelta(days=90)


class Action(models.TextChoices):
    LOGIN = "login"
    TOKEN_CREATED = "token.created"
    TOKEN_ROTATED = "token.rotated"
    MEDIA_UPLOADED = "media.uploaded"
    MEDIA_DELETED = "media.deleted"
    EXPORT_REQUESTED = "export.requested"
    WEBHOOK_CREATED = "webhook.created"
    WEBHOOK_CHANGED = "webhook.changed"
    WEBHOOK_DELETED = "webhook.deleted"
    RETENTION_CHANGED = "retention.changed"


class ActivityQuerySet(models.QuerySet):
    def for_user(self, user) -> "ActivityQuerySet":
        """The one way per-user reads start (newest first)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(user=user).order_by("-at", "-id")

    def past_keeping(self) -> "ActivityQuerySet":
        return self.filter(at__lt=timezone.now() - ACTIVITY_KEPT)


class ActivityEntry(models.Model):
    """One thing done on a user's account: what, when, from which address, and a short detail
    (an item's or endpoint's id, a retention value; never a password, token or secret)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="activity")
    action = models.CharField(max_length=24, choices=Action.choices)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    detail = models.CharField(max_length=300, blank=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        app_label = "analysis"
        verbose_name_plural = "activity entries"
        indexes = [models.Index(fields=["user", "-at"])]

    def __str__(self):
        return f"{self.action} by user {self.user_id} at {self.at:%Y-%m-%d %H:%M}"
