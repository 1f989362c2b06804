"""What was done on an account, as pages and APIs announce it; the activity log
(analysis.privacy.activity) stores each announcement.

A signal, so that items and webhooks (lower layers than privacy) can say what happened without
importing the package that keeps the log.
"""

from django.db import models
from django.dispatch import Signal

__all__ = ["Action", "record", "recorded"]


class Action(models.TextChoices):
    LOGIN = "login"
    TOKEN_CREATED = "token.created"
    TOKEN_ROTATED = "token.rotated"
    MEDIA_UPLOADED = "media.uploaded"
    MEDIA_DELETED = "media.deleted"
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
