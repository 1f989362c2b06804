"""How many uploads with ``?wait=N`` one user may hold open at once.

Each waiting request holds a web thread for up to N seconds; the upload rate limit alone would let
one user hold dozens at a time and starve everyone else's requests. Past the limit an upload is
answered at once, 202 as without ``?wait`` (it is stored and analysed all the same): the client
polls or takes a webhook, and nothing is refused.

Counted in the cache, shared by every web process (one count per process while Redis is down: see
analysis.web.cache).
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache

# A count left behind by a process killed mid-wait expires after the longest wait and some.
KEY_TTL_S = 120


def _key(user_id) -> str:
    return f"upload-waits:{user_id}"


@contextmanager
def slot(user_id) -> Iterator[bool]:
    """True inside when this request may wait (a slot is held until the block ends), else False."""
    key = _key(user_id)
    cache.add(key, 0, timeout=KEY_TTL_S)
    try:
        held = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=KEY_TTL_S)
        held = 1
    try:
        yield held <= settings.FER_UPLOAD_WAITS_PER_USER
    finally:
        try:
            cache.decr(key)
        except ValueError:
            pass


def held(user_id) -> int:
    """Slots ``user_id`` holds now (tests, diagnostics)."""
    return int(cache.get(_key(user_id)) or 0)
