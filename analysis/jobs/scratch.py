"""Each worker process's private temporary folder, and the sweep that removes a killed worker's.

A worker copies a clip out of the storage to a local file (PyAV and OpenCV read paths) and writes its
results next to it. Those files live in a folder of the process's own under the system's temporary
folder (or FILE_UPLOAD_TEMP_DIR), named with PREFIX and holding a lock file the process keeps locked.
A killed process cannot delete its files, but the kernel drops its lock, so the next worker to start
on the machine (fer_site.celery, worker_init) finds the folder unlocked and removes it.
"""

import fcntl
import logging
import os
import shutil
import tempfile
import time
from contextlib import suppress
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

PREFIX = "fer-worker-"
LOCK_NAME = ".lock"
# A folder with no lock file yet is being created; older than this, its creator died in between.
UNLOCKED_GRACE_S = 60

_enabled = False
_owned: dict[int, tuple[Path, int]] = {}  # pid -> (folder, locked descriptor)


def base_folder() -> Path:
    return Path(settings.FILE_UPLOAD_TEMP_DIR or tempfile.gettempdir())


def enable() -> None:
    """Give each process of this worker a private folder from its first temporary file on."""
    global _enabled
    _enabled = True


def private_folder() -> Path | None:
    """This process's private folder (made on first use), or None outside a worker."""
    if not _enabled:
        return None
    pid = os.getpid()  # a pool process forked from the main one must not share its folder
    if pid not in _owned:
        folder = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{pid}-", dir=base_folder()))
        descriptor = os.open(folder / LOCK_NAME, os.O_CREAT | os.O_RDWR, 0o600)
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        _owned[pid] = (folder, descriptor)
    return _owned[pid][0]


def release() -> None:
    """Remove this process's folder (a worker process shutting down normally)."""
    owned = _owned.pop(os.getpid(), None)
    if owned:
        folder, descriptor = owned
        shutil.rmtree(folder, ignore_errors=True)
        os.close(descriptor)


def sweep_stale() -> int:
    """Remove the private folders of worker processes that are gone; returns how many were removed."""
    removed = 0
    for folder in base_folder().glob(f"{PREFIX}*"):
        if folder.is_dir() and _is_abandoned(folder):
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    if removed:
        logger.warning("Removed %d temporary folder(s) left by stopped workers under %s", removed, base_folder())
    return removed


def _is_abandoned(folder: Path) -> bool:
    try:
        descriptor = os.open(folder / LOCK_NAME, os.O_RDWR)
    except FileNotFoundError:
        with suppress(FileNotFoundError):
            return time.time() - folder.stat().st_mtime > UNLOCKED_GRACE_S
        return False
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False  # its process is alive and holds the lock
    finally:
        os.close(descriptor)  # closing drops the lock just taken
    return True
