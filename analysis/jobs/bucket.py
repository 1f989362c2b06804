"""The bucket's storage: django-storages' S3 backend with a total deadline per storage call, and the
one test of whether an exception means the storage is out of service (answered 503, not 500).

botocore bounds each attempt (connect and read time-outs) but not a call: a hung bucket once held an
upload for 240 s, a 60 s read time-out for each of four attempts. Here each call stamps its deadline
(FER_STORAGE_DEADLINE_S) when it starts, and no retry starts past it; fer_site.object_storage makes each
attempt's time-outs a share of the deadline, so a call ends within about the deadline.
"""

import time

from storages.backends.s3 import S3Storage  # type: ignore[import-untyped]
from storages.utils import setting  # type: ignore[import-untyped]

DEFAULT_DEADLINE_S = 15.0
_CONTEXT_KEY = "fer_deadline"


class StorageDeadlineExceeded(Exception):
    """A storage call ran out of its FER_STORAGE_DEADLINE_S with its attempts failing."""


def _stamp_deadline(deadline_s: float):
    def stamp(context=None, **kwargs):
        if context is not None:
            context[_CONTEXT_KEY] = time.monotonic() + deadline_s

    return stamp


def _refuse_late_retry(request_dict=None, response=None, caught_exception=None, attempts=None, **kwargs):
    failed = caught_exception is not None or (response is not None and response[0].status_code >= 500)
    deadline = ((request_dict or {}).get("context") or {}).get(_CONTEXT_KEY)
    if failed and deadline is not None and time.monotonic() >= deadline:
        reason = caught_exception or f"HTTP {response[0].status_code}"
        raise StorageDeadlineExceeded(f"The storage did not answer within its deadline ({attempts} attempts): {reason}")


class BucketStorage(S3Storage):
    """S3Storage whose every call (head, put, each part of a multipart upload, get) ends by its deadline."""

    def get_default_settings(self):
        return {**super().get_default_settings(), "deadline_s": setting("FER_STORAGE_DEADLINE_S", DEFAULT_DEADLINE_S)}

    @property
    def connection(self):
        fresh = getattr(self._connections, "connection", None) is None
        resource = super().connection
        if fresh:  # one client per thread (django-storages), each given the two handlers once
            events = resource.meta.client.meta.events
            events.register_first("before-call.s3", _stamp_deadline(float(self.deadline_s)))
            events.register_first("needs-retry.s3", _refuse_late_retry)
        return resource


def is_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` (or what it was raised from) says the storage is unreachable, hung or failing:
    the client's request was fine and a retry later may succeed."""
    from boto3.exceptions import S3TransferFailedError, S3UploadFailedError  # type: ignore[import-untyped]
    from botocore.exceptions import ClientError, ConnectionError, HTTPClientError  # type: ignore[import-untyped]

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, StorageDeadlineExceeded | ConnectionError | HTTPClientError):
            return True
        if isinstance(current, S3UploadFailedError | S3TransferFailedError):
            return True
        if isinstance(current, ClientError):
            status = current.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
            return status >= 500 or current.response.get("Error", {}).get("Code") in ("SlowDown", "RequestTimeout")
        current = current.__cause__ or current.__context__
    return False
