"""Where kept files go: the local MEDIA_ROOT, or a bucket when AWS_STORAGE_BUCKET_NAME is set.

A bucket is what lets web and worker machines share nothing but the broker, the database and it: every
file goes through django-storages' S3 backend (AWS S3, MinIO, Cloudflare R2, Ceph, ...).
"""

from collections.abc import Mapping

LOCAL = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
# django-storages' S3 backend with a total deadline per storage call (analysis.jobs.bucket).
S3_BACKEND = "analysis.jobs.bucket.BucketStorage"
# A storage call (head, put, one part, get) gives up after this many seconds in all, its retries included,
# so an upload to a hung bucket answers 503 in seconds, not after four read time-outs (issue 25).
DEFAULT_DEADLINE_S = 15
# Attempts per call (botocore's standard retries); each attempt's time-outs are a share of the deadline.
ATTEMPTS = 3
# A file URL redirects to a presigned URL valid this long at most: long enough to follow the redirect
# and start a download, short enough that a copied link stops working soon.
MAX_URL_SECONDS = 300
# An object read through the storage API (a photo for the worker, a file for the web) is held in memory
# up to this size and spilled to a temporary file past it (django-storages' default, 0, never spills).
MAX_MEMORY_BYTES = 8 * 1024 * 1024


def _int(environ: Mapping[str, str], name: str, default: int) -> int:
    value = environ.get(name)
    return int(value) if value else default


def uses_bucket(environ: Mapping[str, str]) -> bool:
    return bool(environ.get("AWS_STORAGE_BUCKET_NAME", "").strip())


def default_storage(environ: Mapping[str, str]) -> dict:
    """The STORAGES["default"] entry the environment asks for (docs/configuration.md)."""
    if not uses_bucket(environ):
        return dict(LOCAL)
    from botocore.config import Config  # type: ignore[import-untyped]

    endpoint = environ.get("AWS_S3_ENDPOINT_URL") or None
    # A custom endpoint (MinIO, moto, Ceph) is usually addressed by path; AWS itself by host name.
    addressing = environ.get("AWS_S3_ADDRESSING_STYLE") or ("path" if endpoint else "auto")
    deadline_s = _int(environ, "FER_STORAGE_DEADLINE_S", DEFAULT_DEADLINE_S)
    # Each attempt may wait a third of the deadline for the connection and as long for each read, so
    # three attempts of a hung bucket end by the deadline; no retry starts after it (analysis.jobs.bucket).
    share = max(1, deadline_s // ATTEMPTS)
    client_config = Config(
        s3={"addressing_style": addressing},
        signature_version="s3v4",
        connect_timeout=min(_int(environ, "AWS_S3_CONNECT_TIMEOUT", share), share),
        read_timeout=min(_int(environ, "AWS_S3_READ_TIMEOUT", share), share),
        retries={"total_max_attempts": ATTEMPTS, "mode": "standard"},
    )
    return {
        "BACKEND": S3_BACKEND,
        "OPTIONS": {
            "bucket_name": environ["AWS_STORAGE_BUCKET_NAME"].strip(),
            "endpoint_url": endpoint,
            # None: boto3 finds credentials itself (an instance role, ~/.aws); never logged.
            "access_key": environ.get("AWS_ACCESS_KEY_ID") or None,
            "secret_key": environ.get("AWS_SECRET_ACCESS_KEY") or None,
            "region_name": environ.get("AWS_S3_REGION_NAME") or None,
            "client_config": client_config,
            # Objects stay private: a browser reads one only through a presigned URL from /files/.
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": min(_int(environ, "FER_FILE_URL_SECONDS", MAX_URL_SECONDS), MAX_URL_SECONDS),
            # As on a local folder: a name in use gets a suffix (analysis.jobs.storage.save_replacing replaces).
            "file_overwrite": False,
            "max_memory_size": MAX_MEMORY_BYTES,
            "deadline_s": deadline_s,
        },
    }
