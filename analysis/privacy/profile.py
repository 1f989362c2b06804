"""The profile page's privacy section: retention, the latest export, the activity log (a context provider
of accounts.profile)."""

from analysis.media.forms import KeepMediaForm
from analysis.privacy import services as privacy
from analysis.privacy.models import ActivityEntry


def profile_context(user, *, keep_form: KeepMediaForm | None = None, **_others) -> dict:
    """What the profile page shows of the privacy controls (``keep_form``: one that failed to validate)."""
    keep_media = privacy.keep_media_of(user)
    return {
        "keep_media": keep_media,
        "keep_form": keep_form or KeepMediaForm(keep_media=keep_media),
        "data_export": privacy.latest_export(user),
        "activity": ActivityEntry.objects.for_user(user)[:20],
    }
