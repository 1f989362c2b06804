"""Privacy services (issue 17), web side: a user's retention choice, and what the pages and API ask."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from analysis import dispatch
from analysis.models import AnonymizedCopy, DataExport, Media
from analysis.privacy_models import PrivacySettings

__all__ = [
    "AnonymizeRefused",
    "keep_media_of",
    "latest_export",
    "request_anonymized",
    "request_export",
    "set_keep_media",
]


class AnonymizeRefused(Exception):
    """A blurred copy that cannot be made of this item; str(exc) says why."""


def keep_media_of(user) -> str:
    """The user's retention choice (``always`` until they choose)."""
    return PrivacySettings.objects.keep_media_of(user)


def set_keep_media(user, value) -> str:
    """Store the user's retention choice for their future uploads; InvalidKeepMedia when it is none of
    the three. Items uploaded before keep the choice they were uploaded with."""
    with transaction.atomic():
        return PrivacySettings.set_keep_media(user, value)


def request_anonymized(media: Media, *, below_confidence: float | None = None, show_emotion: bool = False) -> bool:
    """Queue the blurred copy of an analysed photo or clip; False when one is queued or being made
    already. AnonymizeRefused when the item has nothing to blur yet or its media is gone."""
    if media.kind not in (Media.Kind.PHOTO, Media.Kind.VIDEO):
        raise AnonymizeRefused("Only a photo or a clip has a blurred copy.")
    if media.status not in (Media.Status.DONE, Media.Status.CANCELLED):
        raise AnonymizeRefused("Only an analysed item has a blurred copy: its faces are found first.")
    if not media.media_kept:
        raise AnonymizeRefused("The media of this item was not kept, so no blurred copy can be made.")
    with transaction.atomic():
        asked = AnonymizedCopy.ask(media, below_confidence=below_confidence, show_emotion=show_emotion)
        if asked:
            dispatch.anonymize_media(media)
    media.refresh_from_db()  # also forgets the copy read before
    return asked


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
