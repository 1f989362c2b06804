"""Collections, web side: create, change and delete them, move items, set labels, accept a ZIP archive
into one; and ``collection.done`` once every item of an archive has ended (any process).

Each member of an archive becomes an item through analysis.media.services.create_media, exactly as a
single upload does (the same checks, storage, retention and job lifecycle), in its own transaction, so
its analysis starts while the rest of the archive is still being read.
"""

import logging
from dataclasses import dataclass, field
from urllib.parse import urljoin

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

from analysis.collections import archives, summary
from analysis.collections.archives import ArchiveRejected, LabelsRejected
from analysis.collections.models import ArchiveUpload, Collection
from analysis.jobs.lifecycle import FINAL_STATES, job_finished
from analysis.media import services as media_services
from analysis.media.models import Media
from analysis.media.uploads import UploadRejected
from analysis.webhooks import services as webhooks
from analysis.webhooks.models import WebhookEvent

__all__ = [
    "ArchiveRejected",
    "ArchiveResult",
    "LabelsRejected",
    "accept_archive",
    "create_collection",
    "delete_collection",
    "deletion_detail",
    "move_items",
    "set_labels",
    "update_collection",
]

logger = logging.getLogger(__name__)


def create_collection(user, name: str, description: str = "") -> Collection:
    """A new, empty collection of ``user``'s."""
    return Collection.objects.create(user=user, name=name.strip(), description=description.strip())


def update_collection(collection: Collection, *, name: str | None = None, description: str | None = None) -> Collection:
    """Rename or describe a collection."""
    if name is not None:
        collection.name = name.strip()
    if description is not None:
        collection.description = description.strip()
    collection.updated_at = timezone.now()
    collection.save(update_fields=["name", "description", "updated_at"])
    return collection


def delete_collection(collection: Collection, *, delete_items: bool = False) -> int:
    """Delete a collection; its items stay (out of any collection) unless ``delete_items``. How many
    items were deleted."""
    deleted = 0
    with transaction.atomic():
        if delete_items:
            # One by one through the item's own delete, so each one's files go after the commit.
            for media in Media.objects.filter(collection=collection).only(
                "pk", "file", "thumbnail", "playable", "user_id", "kind"
            ):
                media_services.delete_media(media)
                deleted += 1
        collection.delete()
    return deleted


def move_items(collection: Collection | None, items) -> int:
    """Move ``items`` (a queryset of the owner's items, already checked) into ``collection``, or out of
    any with None; how many moved. Each collection concerned notes the change."""
    target = collection.pk if collection is not None else None
    with transaction.atomic():
        sources = set(items.exclude(collection=None).values_list("collection_id", flat=True))
        moved = items.update(collection=target)
        touched = (sources | {target}) - {None}
        Collection.objects.filter(pk__in=touched).update(updated_at=timezone.now())
    return moved


def set_labels(collection: Collection, labels: dict[str, str]) -> tuple[int, list[str]]:
    """Label the collection's items from labels.csv's rows ({file: emotion}), matched by item name (the
    file's base name); the number of items labelled and the files that matched none."""
    by_name: dict[str, list] = {}
    for pk, name in Media.objects.filter(collection=collection).values_list("pk", "original_name"):
        by_name.setdefault(name, []).append(pk)
    labelled, unmatched = 0, []
    with transaction.atomic():
        for path, emotion in labels.items():
            ids = by_name.get(path) or by_name.get(archives.base_name(path))
            if not ids:
                unmatched.append(path)
                continue
            labelled += Media.objects.filter(pk__in=ids).update(expected_emotion=emotion)
        collection.touch()
    return labelled, unmatched


@dataclass
class ArchiveResult:
    """What became of an archive: the items made ({id, name}) and the members not taken ({name, reason})."""

    archive: ArchiveUpload
    items: list[dict] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)

    def activity_detail(self) -> str:
        """Its activity-log entry's detail, the same from the page and the API."""
        return f"{self.archive.collection_id} items={len(self.items)} rejected={len(self.rejected)}"


def deletion_detail(collection_id, deleted: int) -> str:
    """A collection's deletion, as its activity-log entry says it (page and API)."""
    return f"{collection_id} items_deleted={deleted}"


def accept_archive(
    user,
    collection: Collection,
    uploaded_file,
    *,
    admit=lambda count: count,
    keep_media: str | None = None,
    sample_fps: float | None = None,
) -> ArchiveResult:
    """Make an item of each photo and clip in a ZIP archive, analysed as if uploaded alone.

    ArchiveRejected, with nothing stored, when the archive is hostile or unreadable (see
    archives.read_directory). ``admit(n)`` says how many of the n candidate members the owner's upload
    rate lets in now (the rest are rejected with the reason); it is asked once, before anything is stored.
    """
    archive, contents = archives.read_directory(uploaded_file)
    with archive:
        admitted = admit(len(contents.members))
        if contents.members and admitted <= 0:
            raise ArchiveThrottled()
        upload = ArchiveUpload.objects.create(collection=collection)
        result = ArchiveResult(upload)
        result.rejected = [{"name": path, "reason": reason} for path, reason in contents.skipped]
        try:
            for number, member in enumerate(contents.members):
                if number >= admitted:
                    result.rejected.append({"name": member.path, "reason": THROTTLED_REASON})
                    continue
                _take(user, collection, archive, member, contents.labels, result, keep_media, sample_fps)
        finally:
            # Whatever happened, the items made are this archive's, and it can end once they have.
            _accepted(upload, [entry["id"] for entry in result.items])
    collection.touch()
    return result


THROTTLED_REASON = "Too many uploads in a short time (FER_UPLOAD_RATE counts each member); send it again later."


class ArchiveThrottled(Exception):
    """No member of the archive fits the owner's upload rate now; nothing was stored."""


def _take(user, collection, archive, member, labels, result: ArchiveResult, keep_media, sample_fps) -> None:
    try:
        member_file = archives.extract(archive, member)
    except Exception as exc:  # a member whose data does not match its directory entry (CRC, size)
        logger.info("Archive member %r could not be read: %s", member.path, exc)
        result.rejected.append({"name": member.path, "reason": "The member is damaged and cannot be read."})
        return
    with member_file:
        try:
            media = media_services.create_media(
                user,
                member_file,
                keep_media=keep_media,
                sample_fps=sample_fps,
                collection=collection,
                expected_emotion=archives.label_for(labels, member.path, member.name) or "",
            )
        except UploadRejected as exc:
            result.rejected.append({"name": member.path, "reason": str(exc)})
            return
    result.items.append({"id": str(media.pk), "name": media.original_name})


def _accepted(upload: ArchiveUpload, item_ids: list[str]) -> None:
    with transaction.atomic():
        ArchiveUpload.objects.filter(pk=upload.pk).update(items=item_ids, accepted_at=timezone.now())
        # Its items may all have ended already (or there are none): then it is done now.
        _end_archives(ArchiveUpload.objects.filter(pk=upload.pk))


def _end_archives(candidates) -> None:
    """Record collection.done for each of ``candidates`` (accepted, not done) whose items have all ended.

    Call inside a transaction. The rows are locked, so two workers ending an archive's last two items
    check one after the other, and the second sees the first's item ended: the event is recorded once.
    """
    for upload in (
        candidates.select_for_update().filter(done_at=None).exclude(accepted_at=None).select_related("collection")
    ):
        if Media.objects.filter(pk__in=upload.items).exclude(status__in=list(FINAL_STATES)).exists():
            continue
        upload.done_at = timezone.now()
        upload.save(update_fields=["done_at"])
        collection = upload.collection
        webhooks.emit_data(WebhookEvent.COLLECTION_DONE, collection.user_id, _data_of(collection, upload))


def _data_of(collection: Collection, upload: ArchiveUpload):
    return lambda: done_data(collection, upload)


def site_url(path: str) -> str:
    """A site path made absolute from FER_SITE_URL (a worker has no request); the path when it is unset."""
    base = settings.FER_SITE_URL
    return urljoin(base.rstrip("/") + "/", path.lstrip("/")) if base else path


def done_data(collection: Collection, upload: ArchiveUpload) -> dict:
    """The body's data of collection.done: the collection, the archive's items and the summary."""
    return {
        "collection": {
            "id": str(collection.pk),
            "name": collection.name,
            "url": site_url(reverse("api:collection-detail", args=[collection.pk])),
        },
        "archive": {"id": str(upload.pk), "items": upload.items},
        "summary": summary.summarize(collection),
    }


@receiver(job_finished, dispatch_uid="analysis.collections")
def _item_ended(sender, job, **kwargs) -> None:
    if sender is Media and job.collection_id is not None:
        _end_archives(ArchiveUpload.objects.filter(collection_id=job.collection_id))


@receiver(post_delete, sender=Media, dispatch_uid="analysis.collections.item_deleted")
def _item_deleted(sender, instance, **kwargs) -> None:
    # A deleted item has ended too: when it was an archive's last unfinished one, the archive is done.
    # Checked after the deletion commits, so the check no longer finds the item.
    if "collection_id" in instance.get_deferred_fields():
        # A bulk deletion that read only some fields (an account's or a collection's items): the
        # archives go with the account or collection, so there is nothing to send.
        return
    collection_id = instance.collection_id
    if collection_id is None:
        return

    def check() -> None:
        with transaction.atomic():
            _end_archives(ArchiveUpload.objects.filter(collection_id=collection_id))

    transaction.on_commit(check)
