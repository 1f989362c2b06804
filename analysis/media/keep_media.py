"""A user's retention choice (issue 17) and what it means for an upload.

``keep_media`` is one of ``always`` (the default), ``results_only`` (the media goes as soon as its
analysis ends; the results stay) or ``days:N`` (the media goes N days after its upload, 1 <= N <= 365).
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models

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


def describe_keep_media(value: str) -> str:
    """A retention value as people read it ("media deleted 7 days after upload"), never the code."""
    if value == ALWAYS:
        return "media kept until you delete it"
    if value == RESULTS_ONLY:
        return "results only: media deleted once analysed"
    days = int(value.removeprefix(DAYS_PREFIX))
    return f"media deleted {days} day{'s' if days != 1 else ''} after upload"


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
