"""Rate limits on DRF's throttle machinery, counted in the cache (which fails open: analysis.web.cache),
per user where there is one and per client address (analysis.web.addresses) where there is not.

``AddressThrottle`` and ``UserOrAddressThrottle`` are DRF throttle classes; ``wait_s`` asks the same
of a plain Django view (a page's form), which answers 429 with Retry-After itself.
"""

import hashlib
import math

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from analysis.web.addresses import client_address


def _hashed(text: str) -> str:
    # A user-typed value (a username, an e-mail address) never becomes part of a cache key as it is.
    return hashlib.sha256(text.strip().lower().encode()).hexdigest()[:32]


class SettingRateThrottle(SimpleRateThrottle):
    """A throttle whose rate is the setting ``rate_setting``, read at request time (DRF reads its rate
    table once at import, so tests and settings changes would not reach it)."""

    rate_setting = ""

    def get_rate(self):
        return getattr(settings, self.rate_setting)


class AddressThrottle(SettingRateThrottle):
    """Counted per client address, signed in or not."""

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": client_address(request)}


class UserOrAddressThrottle(SettingRateThrottle):
    """Counted per user, or per client address for a request without one."""

    def get_cache_key(self, request, view):
        user = getattr(request, "user", None)
        ident = f"user-{user.pk}" if user is not None and user.is_authenticated else client_address(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def get_ident(self, request):
        return client_address(request)


class _Named(SettingRateThrottle):
    def __init__(self, scope: str, rate_setting: str, ident: str):
        self.scope, self.rate_setting, self.ident = scope, rate_setting, ident
        super().__init__()

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.ident}


def wait_s(request, scope: str, rate_setting: str, *, ident: str | None = None) -> int | None:
    """Count one request against ``scope``: per ``ident`` (hashed) when given, else per signed-in user
    (the same count as UserOrAddressThrottle's, so a page and the API share one budget), else per
    client address. None when it is allowed, else the whole seconds to wait (for Retry-After)."""
    user = getattr(request, "user", None)
    if ident is not None:
        key = _hashed(ident)
    elif user is not None and user.is_authenticated:
        key = f"user-{user.pk}"
    else:
        key = client_address(request)
    throttle = _Named(scope, rate_setting, key)
    if throttle.allow_request(request, None):  # type: ignore[arg-type]  # a plain view: no APIView
        return None
    return max(1, math.ceil(throttle.wait() or 1))


def retry_text(seconds: int) -> str:
    """'1 minute', '12 minutes', '45 seconds': how long to wait, for a message."""
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minutes"
