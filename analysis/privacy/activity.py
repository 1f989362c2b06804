"""The activity log (issue 17): what was done on an account, when and from where; kept 90 days."""

import ipaddress

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from analysis.privacy_models import Action, ActivityEntry

__all__ = ["Action", "record"]


def _address(request) -> str | None:
    # REMOTE_ADDR, as the log-in rate limit reads it (accounts.ratelimit: X-Forwarded-For is the client's).
    value = request.META.get("REMOTE_ADDR") if request is not None else None
    try:
        return str(ipaddress.ip_address(value)) if value else None
    except ValueError:
        return None


def record(request, action: str, detail: str = "", *, user=None) -> ActivityEntry:
    """Log ``action`` by the request's user (or ``user``) with the client's address."""
    return ActivityEntry.objects.create(
        user=user or request.user, action=action, ip=_address(request), detail=str(detail)[:300]
    )


def prune() -> int:
    """Delete entries past ACTIVITY_KEPT; how many."""
    return ActivityEntry.objects.past_keeping().delete()[0]


@receiver(user_logged_in, dispatch_uid="analysis.activity")
def _logged_in(sender, request, user, **kwargs) -> None:
    # The log-in page and sign-up; force_login in tests too (no request there).
    if request is not None:
        record(request, Action.LOGIN, user=user)
