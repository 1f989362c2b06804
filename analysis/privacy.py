"""Privacy services (issue 17), web side: a user's retention choice, and what the pages and API ask."""

from django.db import transaction

from analysis.privacy_models import PrivacySettings

__all__ = ["keep_media_of", "set_keep_media"]


def keep_media_of(user) -> str:
    """The user's retention choice (``always`` until they choose)."""
    return PrivacySettings.objects.keep_media_of(user)


def set_keep_media(user, value) -> str:
    """Store the user's retention choice for their future uploads; InvalidKeepMedia when it is none of
    the three. Items uploaded before keep the choice they were uploaded with."""
    with transaction.atomic():
        return PrivacySettings.set_keep_media(user, value)
