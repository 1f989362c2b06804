"""What was done on an account, as pages and APIs announce it; the activity log
(analysis.privacy.activity) stores each announcement.

A signal, so that items and webhooks (lower layers than privacy) can say what happened without
importing the package that keeps the log.
"""

from django.db import models
from django.dispatch import Signal

__all__ = ["Action", "copy_detail", "item_detail", "record", "recorded"]


class Action(models.TextChoices):
    LOGIN = "login"
    TOKEN_CREATED = "token.created"
    TOKEN_ROTATED = "token.rotated"
    MEDIA_UPLOADED = "media.uploaded"
    MEDIA_DELETED = "media.deleted"
    COPY_REQUESTED = "copy.requested"
    LIVE_SAVED = "live.saved"
    ARCHIVE_UPLOADED = "archive.uploaded"
    COLLECTION_DELETED = "collection.deleted"
    EXPORT_REQUESTED = "export.requested"
    WEBHOOK_CREATED = "webhook.created"
    WEBHOOK_CHANGED = "webhook.changed"
    WEBHOOK_DELETED = "webhook.deleted"
    RETENTION_CHANGED = "retention.changed"


# Sent with ``request``, ``action``, ``detail`` and ``user``; analysis.privacy.activity stores it.
recorded = Signal()


def record(request, action: str, detail: str = "", *, user=None) -> None:
    """Log ``action`` by the request's user (or ``user``) with the client's address."""
    recorded.send(sender=Action, request=request, action=action, detail=str(detail), user=user or request.user)


# Of an item's file name, at most this many characters go into an entry (its detail keeps 300).
ITEM_NAME_CHARS = 200


def item_detail(media) -> str:
    """An entry's detail for an item: its id and, beside it, the file name it was uploaded as."""
    # Written when the action happens, so the entry still says which file it was after the item is
    # deleted. The name is the client's: kept as text only, control characters made spaces.
    name = "".join(c if c.isprintable() else " " for c in media.original_name).strip()[:ITEM_NAME_CHARS]
    return f'{media.pk} "{name}"' if name else str(media.pk)


def copy_detail(media, kind: str) -> str:
    """An entry's detail for a copy asked of an item: the item, then which copy (blurred, annotated)."""
    return f"{item_detail(media)} copy={kind}"
