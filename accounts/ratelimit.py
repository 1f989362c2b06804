"""Failed log-in counter kept in Django's cache, keyed by username and client address.

Failures are counted from Django's user_login_failed signal, so every way in that calls
authenticate() with the request counts: the log-in page, the admin's log-in and the API's token
endpoint. The log-in page refuses with a clear message once the limit is hit; other paths refuse
through accounts.backends.RateLimitedModelBackend when it is the configured backend.

Keying by the pair (not the username alone) means an attacker cannot lock a person out of their own
account from elsewhere, while one address still cannot try many passwords against one account.
The cache must be shared between web processes in production (Redis), or each process keeps its own
count and the limit multiplies by the number of processes.
"""

import hashlib
import math
import time

from django.conf import settings
from django.core.cache import cache

from analysis.web import addresses

# Five wrong passwords in a quarter of an hour is more than typos explain; a person who forgot
# their password has the reset link on the same page.
DEFAULT_LIMIT = 5
DEFAULT_WINDOW_S = 15 * 60
# One address trying many usernames a few times each stays under the per-pair limit: this catches it.
DEFAULT_ADDRESS_LIMIT = 30


def limit() -> int:
    return getattr(settings, "LOGIN_FAILURE_LIMIT", DEFAULT_LIMIT)


def window_s() -> int:
    return getattr(settings, "LOGIN_FAILURE_WINDOW_S", DEFAULT_WINDOW_S)


def address_limit() -> int:
    """Failed log-ins from one address, whatever the usernames (password spraying)."""
    return getattr(settings, "LOGIN_ADDRESS_FAILURE_LIMIT", DEFAULT_ADDRESS_LIMIT)


def client_address(request) -> str:
    # The one rule (analysis.web.addresses): X-Forwarded-For is client-controlled unless trusted
    # proxies (FER_TRUSTED_PROXIES) write it, and honouring it blindly would let anyone reset a counter.
    return addresses.client_address(request)


def _key(username: str, address: str) -> str:
    # Hash so that arbitrary user input never becomes part of a cache key (length, odd characters).
    digest = hashlib.sha256(f"{username.strip().lower()}\0{address}".encode()).hexdigest()
    return f"login-failures:{digest}"


def _address_key(address: str) -> str:
    return "login-failures:address:" + hashlib.sha256(address.encode()).hexdigest()


def address_blocked(address: str) -> bool:
    """Too many failed log-ins from ``address`` across all usernames."""
    return cache.get(_address_key(address), 0) >= address_limit()


def is_blocked(username: str, address: str) -> bool:
    return cache.get(_key(username, address), 0) >= limit() or address_blocked(address)


def register_failure(username: str, address: str) -> int:
    """Count one failed attempt (for the pair and for the address) and return the pair's count."""
    _count(_address_key(address))
    return _count(_key(username, address))


def _count(key: str) -> int:
    # add() starts the window only if no counter exists; incr() is atomic on Redis and LocMem, so
    # two concurrent failures cannot both read 4 and both write 5. The window's end is kept beside the
    # count (Django's cache API cannot tell a key's remaining time) for Retry-After.
    if cache.add(key, 0, timeout=window_s()):
        cache.set(key + ":ends", time.time() + window_s(), timeout=window_s())
    try:
        return cache.incr(key)
    except ValueError:  # the counter expired between add() and incr()
        cache.add(key, 1, timeout=window_s())
        return 1


def retry_after_s(username: str, address: str) -> int:
    """Whole seconds until the current window ends and the pair may try again (at least 1)."""
    key = _address_key(address) if address_blocked(address) else _key(username, address)
    ends = cache.get(key + ":ends")
    left = ends - time.time() if ends is not None else window_s()
    return max(1, math.ceil(left))


def reset(username: str, address: str) -> None:
    cache.delete_many([_key(username, address), _key(username, address) + ":ends"])


def count_failed_login(sender, credentials, request=None, **kwargs):
    """user_login_failed receiver (connected in AccountsConfig.ready)."""
    username = (credentials or {}).get("username") or ""
    if request is None or not username:
        # Without a request there is no address to count against (e.g. a management command).
        return
    register_failure(username, client_address(request))


def clear_after_login(sender, request=None, user=None, **kwargs):
    """user_logged_in receiver: a successful log-in starts the count afresh."""
    if request is not None and user is not None:
        reset(user.get_username(), client_address(request))
