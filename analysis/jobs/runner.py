"""The one runner of a job that makes a file (an annotated copy, a blurred copy, an export), worker only.

Each such job has the same skeleton: fetch its row, claim it, beat while working, write the file in
private scratch space, store it and mark the job done, or store why it failed. The caller says only
how to make the file.
"""

from collections.abc import Callable
from typing import TypeVar

from django.core.files.base import File
from django.db import models

from analysis.jobs import storage
from analysis.jobs.lifecycle import CopyJob, heartbeat, record_failure

AGAIN = "ask for it again"

J = TypeVar("J", bound=CopyJob)


def run_copy_job(
    jobs: "models.QuerySet[J]",
    pk,
    make: Callable[[J, str], bool | None],
    *,
    name: str,
    suffix: str | Callable[[J], str],
    item: str | Callable[[J], str],
    explain: Callable[[Exception], str | None] | None = None,
) -> None:
    """Make the file of job ``pk`` (read from ``jobs``) and store it as ``<name><suffix>``.

    ``make(job, path)`` writes the file at ``path``; it returns False when it stopped because the job
    stopped being this worker's (deleted, taken over), and then nothing is stored. ``suffix`` and
    ``item`` (what the job reads, named in a failure message) may depend on the job.
    """
    job = jobs.filter(pk=pk).first()
    if job is None or not job.mark_processing():  # gone, finished, or another live worker has it
        return
    extension = suffix(job) if callable(suffix) else suffix
    what = item(job) if callable(item) else item
    try:
        with heartbeat(job), storage.scratch_file(extension) as target:
            if make(job, target) is False:
                return
            with open(target, "rb") as handle:
                job.mark_done(f"{name}{extension}", File(handle))
    except Exception as exc:
        record_failure(job, exc, item=what, again=AGAIN, explain=explain)
