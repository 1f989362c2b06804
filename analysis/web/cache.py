"""Django's Redis cache, failing open: while Redis does not answer, every call goes to a per-process
memory cache instead, with a logged warning, so a cache outage never refuses work (issue 25).

The cache only counts rate limits and failed log-ins. Counting them per process for the length of an
outage is a looser limit (one per web process), never a refused upload; a rate limit that raised
answered every upload with a 500 while Redis restarted.
"""

import logging
import threading
import time

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

# After a failure Redis is not tried again for this long: a stopped server costs one failed call per
# process every few seconds, not a time-out per request.
RETRY_S = 5.0


def _errors() -> tuple[type[BaseException], ...]:
    import redis

    return (redis.RedisError, OSError)


class FailOpenRedisCache(RedisCache):
    """RedisCache whose calls fall back to a local LocMemCache while Redis is unreachable."""

    def __init__(self, server, params):
        super().__init__(server, params)
        local_params = {name: value for name, value in params.items() if name not in ("OPTIONS", "LOCATION")}
        self.local = LocMemCache(f"fail-open-{id(self)}", local_params)
        self._down_until = 0.0
        self._lock = threading.Lock()

    @property
    def is_down(self) -> bool:
        return time.monotonic() < self._down_until

    def _went_down(self, exc: BaseException) -> None:
        with self._lock:
            first = not self.is_down
            self._down_until = time.monotonic() + RETRY_S
        if first:
            logger.warning(
                "The cache (Redis) did not answer (%s: %s); rate limits are counted per process until it does",
                type(exc).__name__,
                exc,
            )

    def _call(self, name: str, *args, **kwargs):
        if not self.is_down:
            try:
                return getattr(RedisCache, name)(self, *args, **kwargs)
            except _errors() as exc:
                self._went_down(exc)
        return getattr(self.local, name)(*args, **kwargs)

    def add(self, *args, **kwargs):
        return self._call("add", *args, **kwargs)

    def get(self, *args, **kwargs):
        return self._call("get", *args, **kwargs)

    def set(self, *args, **kwargs):
        return self._call("set", *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._call("touch", *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._call("delete", *args, **kwargs)

    def get_many(self, *args, **kwargs):
        return self._call("get_many", *args, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._call("has_key", *args, **kwargs)

    def incr(self, *args, **kwargs):
        return self._call("incr", *args, **kwargs)

    def set_many(self, *args, **kwargs):
        return self._call("set_many", *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._call("delete_many", *args, **kwargs)

    def clear(self):
        return self._call("clear")
