"""Files go through Django's storage API only, so the same code runs on a local folder and on a bucket.

A library that needs a real path (PyAV, OpenCV) gets a temporary local copy, deleted however the
block ends, in the worker's private folder (analysis.jobs.scratch); nothing here ever asks a storage for a path.
"""

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import PurePosixPath

from django.conf import settings
from django.db import transaction

from analysis.jobs import scratch

COPY_CHUNK_BYTES = 1024 * 1024


@contextmanager
def scratch_file(suffix: str = "") -> Iterator[str]:
    """The path of a new, empty temporary file for a library to write; deleted on exit."""
    # A worker's private folder (swept if the worker is killed), else FILE_UPLOAD_TEMP_DIR (None: the
    # system's), where large uploads already wait, so it has room. Never MEDIA_ROOT.
    folder = scratch.private_folder() or settings.FILE_UPLOAD_TEMP_DIR
    handle, path = tempfile.mkstemp(suffix=suffix, prefix="fer-", dir=folder)
    os.close(handle)
    try:
        yield path
    finally:
        with suppress(FileNotFoundError):
            os.unlink(path)


@contextmanager
def local_copy(field_file) -> Iterator[str]:
    """The path of a temporary local copy of a stored file (a FieldFile); deleted on exit.

    FileNotFoundError when the stored file is gone (its item was deleted meanwhile).
    """
    with scratch_file(PurePosixPath(field_file.name).suffix) as path:
        # Opened through the storage, not the FieldFile, so that a bucket's object is not read yet.
        with field_file.storage.open(field_file.name, "rb") as source:
            bucket_object = getattr(source, "obj", None)  # django-storages' S3File: a boto3 Object
            if bucket_object is not None:
                # Streamed to the file in parts; S3File.read() would first hold the whole clip in memory.
                bucket_object.download_file(path)
            else:
                with open(path, "wb") as target:
                    shutil.copyfileobj(source, target, COPY_CHUNK_BYTES)
        yield path


def presigned_url(field_file, content_type: str) -> str | None:
    """A short-lived URL at which the bucket serves the file itself (with Range support), or None
    where the storage signs no URLs (a local folder: the caller streams the file)."""
    file_storage = field_file.storage
    if not (getattr(file_storage, "querystring_auth", False) and hasattr(file_storage, "bucket")):
        return None
    return file_storage.url(
        field_file.name,
        parameters={"ResponseContentType": content_type, "ResponseCacheControl": "private, max-age=300"},
    )


def save_replacing(field_file, name: str, content) -> None:
    """Save ``content`` as ``field_file``'s file (not saving its row), replacing the file it named and any
    file already at the name its upload_to gives: a retry, or an attempt that died after writing, would
    otherwise leave the earlier file behind and the storage add a suffix to the new one."""
    target = field_file.field.generate_filename(field_file.instance, name)
    for earlier in {field_file.name or "", target} - {""}:
        field_file.storage.delete(earlier)
    field_file.save(name, content, save=False)


def delete_folder(storage, name: str) -> None:
    """Delete everything stored under the folder ``name``, and the folder where the storage has them."""
    try:
        folders, files = storage.listdir(name)
    except FileNotFoundError:
        return
    for file_name in files:
        storage.delete(f"{name}/{file_name}")
    for folder in folders:
        delete_folder(storage, f"{name}/{folder}")
    # A local folder is removed once empty (FileSystemStorage.delete removes an empty directory);
    # a bucket has no folders, and deleting a name that is not there is no error.
    storage.delete(name)


def user_folder(user_id) -> str:
    """The storage folder holding every file of one user (the names below are storage names)."""
    return f"users/{user_id}"


def delete_file_after_commit(file) -> None:
    """Delete a deleted row's file (a FieldFile, possibly empty) once that deletion commits."""
    if file:
        delete_after_commit([(file.storage, file.name)])


def delete_after_commit(stored) -> None:
    """Delete the files ``stored`` ((storage, name) pairs) once the transaction that removed their row commits."""

    def delete():
        for file_storage, name in stored:
            file_storage.delete(name)

    transaction.on_commit(delete)
