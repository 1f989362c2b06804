"""Collections (issue 26): a user's study of photos and clips, with the ZIP archives uploaded into it.

An item (analysis.media.models.Media) belongs to at most one collection (``Media.collection``); the
collection's summary and evaluation are computed from its items (analysis.collections.summary).
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Count, Max, Q
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from analysis.jobs.lifecycle import JobStatus


class CollectionQuerySet(models.QuerySet):
    def for_user(self, user) -> "CollectionQuerySet":
        """The one way per-user reads start: another user's collection is then simply not found (404)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(user=user)

    def with_counts(self) -> "CollectionQuerySet":
        """Annotate item_count, active_count (queued or being analysed) and last_change (the latest of a
        rename or move, an upload and an analysis's end): the list's columns, in the list's one query."""
        active = Q(items__status__in=[JobStatus.QUEUED, JobStatus.PROCESSING])
        return self.annotate(
            item_count=Count("items"),
            active_count=Count("items", filter=active),
            last_change=Greatest(
                "updated_at",
                Coalesce(Max("items__created_at"), "updated_at"),
                Coalesce(Max("items__finished_at"), "updated_at"),
            ),
        )


class Collection(models.Model):
    """A named group of a user's items: one study, uploaded together or gathered by hand."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="collections")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)
    # Renamed, described, or items moved in or out (an item's own progress is its row's).
    updated_at = models.DateTimeField(default=timezone.now)

    objects = CollectionQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["user", "-updated_at"])]

    def __str__(self):
        return f"collection {self.name!r} of {self.user_id}"

    def touch(self) -> None:
        """Note a change (rename, items moved) for the list's "last change"."""
        self.updated_at = timezone.now()
        Collection.objects.filter(pk=self.pk).update(updated_at=self.updated_at)


# An archive upload's record (which items it made) is kept this long after collection.done: the items
# and the collection stay, under their own retention, until their owner deletes them.
ARCHIVE_KEPT = timedelta(days=30)


class ArchiveUploadQuerySet(models.QuerySet):
    def past_keeping(self) -> "ArchiveUploadQuerySet":
        return self.filter(done_at__lte=timezone.now() - ARCHIVE_KEPT)


class ArchiveUpload(models.Model):
    """One ZIP accepted into a collection: the items it made, so that ``collection.done`` is sent once
    every one of them has ended (analysis.collections.services)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="archives")
    # The items made from its members (ids as text): at most FER_ZIP_MAX_MEMBERS.
    items = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Set once every member was taken or rejected: until then, items finishing early do not end it.
    accepted_at = models.DateTimeField(null=True, blank=True)
    # When every item had ended and collection.done was recorded (once).
    done_at = models.DateTimeField(null=True, blank=True, db_index=True)

    objects = ArchiveUploadQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return f"archive {self.pk} into {self.collection_id}"
