"""The privacy controls' rows (issue 17): account exports and the activity log. An export is an
analysis.jobs job like any other. (A user's retention choice is analysis.media.keep_media's; the
blurred copy is analysis.media.models'.)
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

from analysis.jobs import dispatch, storage
from analysis.jobs.lifecycle import CopyJob, JobQuerySet, JobStatus
from analysis.media.activity import Action

__all__ = ["ACTIVITY_KEPT", "EXPORT_VALID", "Action", "ActivityEntry", "DataExport"]


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
    media), made by a task (analysis.privacy.account_export) and downloadable for EXPORT_VALID."""

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

    def enqueue(self) -> None:
        dispatch.export_account(self.pk)

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
