"""Privacy services (issue 17), web side: a user's retention choice, and what the pages and API ask."""

import json
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from analysis.jobs import broker, dispatch, storage
from analysis.jobs.storage import user_folder
from analysis.media import services
from analysis.media.keep_media import PrivacySettings
from analysis.media.models import Media
from analysis.privacy.models import DataExport
from analysis.webhooks.models import WebhookMessage

__all__ = [
    "erase_account",
    "keep_media_of",
    "latest_export",
    "request_export",
    "set_keep_media",
]


# One line per account erasure: the user's id, the rows removed per model and the time; never a name,
# an address or anything else about the person (the id points at nothing once the row is gone).
audit = logging.getLogger("facet.audit")
logger = logging.getLogger(__name__)


def keep_media_of(user) -> str:
    """The user's retention choice (``always`` until they choose)."""
    return PrivacySettings.objects.keep_media_of(user)


def set_keep_media(user, value) -> str:
    """Store the user's retention choice for their future uploads; InvalidKeepMedia when it is none of
    the three. Items uploaded before keep the choice they were uploaded with."""
    with transaction.atomic():
        return PrivacySettings.set_keep_media(user, value)


def latest_export(user) -> DataExport | None:
    """The user's most recent export (the one the profile page and GET /api/me/export/ show)."""
    return DataExport.objects.for_user(user).order_by("-created_at").first()


def request_export(user, *, include_media: bool = False) -> DataExport:
    """Queue a ZIP of everything ``user`` has; the one already queued or being made when there is one.
    Earlier finished exports are deleted: one download link at a time."""
    with transaction.atomic():
        # The user's row, locked: two requests at once cannot both start an export.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        running = DataExport.objects.for_user(user).exclude(status__in=list(DataExport.FINAL_STATES)).first()
        if running is not None:
            return running
        for earlier in DataExport.objects.for_user(user):
            earlier.delete()  # its ZIP goes after the commit
        export = DataExport.objects.create(user=user, include_media=include_media, heartbeat_at=timezone.now())
        dispatch.export_account(export.pk)
    return export


def erase_account(user) -> dict:
    """Delete a user with everything of theirs: rows, stored files, tokens, and the tasks about their
    rows still waiting in the broker; log one audit line. Returns the rows removed per model."""
    user_id = user.pk
    # The ids tasks are sent with: items (analyses, both copies), exports and webhook messages.
    ids = [
        *Media.objects.filter(user=user).values_list("pk", flat=True),
        *DataExport.objects.filter(user=user).values_list("pk", flat=True),
        *WebhookMessage.objects.filter(endpoint__user=user).values_list("pk", flat=True),
    ]
    with transaction.atomic():
        removed = services.delete_user_data(user)
        removed["sessions.Session"] += _delete_sessions(user_id)
        removed.update(user.delete()[1])
        # Again after the cascade's own file deletions (exports, copies), which ran after the first sweep
        # of the folder and may leave its emptied sub-folders behind.
        transaction.on_commit(lambda: storage.delete_folder(default_storage, user_folder(user_id)))
        counts = {label: count for label, count in sorted(removed.items()) if count}

        def after_commit():
            try:
                dropped = broker.drop_messages(ids, broker.queues())
            except Exception:
                # The broker is down: a task sent later finds its row gone and drops it unread.
                logger.exception("Could not drop the erased account's waiting tasks")
                dropped = -1
            audit.info(
                "account erased user_id=%s removed=%s tasks_dropped=%s at=%s",
                user_id,
                json.dumps(counts, sort_keys=True),
                dropped,
                timezone.now().isoformat(),
            )

        transaction.on_commit(after_commit)
    return counts


def _delete_sessions(user_id) -> int:
    """Delete the user's other log-in sessions (Django keeps them after the user row goes)."""
    if settings.SESSION_ENGINE != "django.contrib.sessions.backends.db":
        return 0  # a cache or cookie session names a user who no longer exists: it never logs in again
    from django.contrib.sessions.models import Session

    mine = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get("_auth_user_id") == str(user_id)
    ]
    return Session.objects.filter(pk__in=mine).delete()[0]
