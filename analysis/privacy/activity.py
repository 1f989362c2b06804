"""The activity log (issue 17): what was done on an account, when and from where; kept 90 days.

Pages and APIs announce what they did through analysis.media.activity.record (re-exported here); the
receiver below stores each announcement, in the transaction of the request that made it.
"""

import ipaddress

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from analysis.media.activity import Action, record, recorded
from analysis.privacy.models import ActivityEntry
from analysis.web.addresses import client_address

__all__ = ["Action", "prune", "record"]


def _address(request) -> str | None:
    # The one rule for the client's address, as every rate limit reads it (analysis.web.addresses).
    value = client_address(request) if request is not None else None
    try:
        return str(ipaddress.ip_address(value)) if value else None
    except ValueError:
        return None


@receiver(recorded, dispatch_uid="analysis.privacy.activity.store")
def _store(sender, request, action: str, detail: str, user, **kwargs) -> None:
    ActivityEntry.objects.create(user=user, action=action, ip=_address(request), detail=detail[:300])


def prune() -> int:
    """Delete entries past ACTIVITY_KEPT; how many."""
    return ActivityEntry.objects.past_keeping().delete()[0]


@receiver(user_logged_in, dispatch_uid="analysis.activity")
def _logged_in(sender, request, user, **kwargs) -> None:
    # The log-in page and sign-up; force_login in tests too (no request there).
    if request is not None:
        record(request, Action.LOGIN, user=user)
