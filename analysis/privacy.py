"""Privacy services (issue 17), web side: a user's retention choice, and what the pages and API ask."""

from django.db import transaction

from analysis import dispatch
from analysis.models import AnonymizedCopy, Media
from analysis.privacy_models import PrivacySettings

__all__ = ["AnonymizeRefused", "keep_media_of", "request_anonymized", "set_keep_media"]


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
