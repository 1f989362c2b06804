"""A Celery app for the killed-worker and fault tests: fer_site's app whose first job of one kind hangs.

Started as `celery -A tests.analysis.slow_worker worker`. While the file named by FER_TEST_SLOW_MARKER
exists, the next job of the kind FER_TEST_SLOW_JOB names removes it, writes its process id beside it
(`<marker>.pid`, and a line per hang in `<marker>.runs`) and sleeps, so that the test can SIGKILL that
pool process mid-task; later jobs (the retry) run normally. The kinds:

- "analysis" (the default): a photo's analysis hangs before the model runs;
- "clip": a clip's analysis hangs once its first rows are stored (mid-clip);
- "annotated": the making of an annotated copy hangs before it writes its MP4.

Options, for the fault tests (tests/faults/):

- FER_TEST_SLOW_EVERY=1: the marker is kept, so every job of the kind hangs (a job that always fails);
- FER_TEST_SLOW_STUCK=1: the hang swallows the soft time limit, as a stuck C call would, so that only
  the hard limit ends it;
- a hang ends, and the job goes on normally, once `<marker>.release` exists.
"""

import os
import time
from pathlib import Path

from celery.signals import worker_process_init

import analysis.jobs.worker  # noqa: F401 (the model loads first: receivers run in the order they connect)
from fer_site.celery import app

__all__ = ["app"]

# The ml function each kind of job calls, as (module, name): looked up by the job when it runs.
SLOW_FUNCTIONS = {
    "analysis": ("ml.pipeline", "analyze_image"),
    "clip": ("ml.video", "analyze_video"),
    "annotated": ("ml.annotate_video", "annotate_clip"),
}


def _hang(marker: Path) -> None:
    """Sleep until killed, or until ``<marker>.release`` appears (checked every 0.1 s, up to 600 s)."""
    from celery.exceptions import SoftTimeLimitExceeded

    if os.environ.get("FER_TEST_SLOW_EVERY") != "1":
        marker.unlink()
    marker.with_suffix(".pid").write_text(str(os.getpid()))
    with marker.with_suffix(".runs").open("a") as runs:
        runs.write(f"{os.getpid()}\n")
    release = marker.with_suffix(".release")
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and not release.exists():
        try:
            time.sleep(0.1)
        except SoftTimeLimitExceeded:
            if os.environ.get("FER_TEST_SLOW_STUCK") != "1":
                raise


@worker_process_init.connect
def slow_down_first_job(**_kwargs):
    import importlib

    kind = os.environ.get("FER_TEST_SLOW_JOB", "analysis")
    module_name, name = SLOW_FUNCTIONS[kind]
    module = importlib.import_module(module_name)
    real = getattr(module, name)
    marker = Path(os.environ["FER_TEST_SLOW_MARKER"])

    def hang_once(*args, **kwargs):
        if marker.exists():
            _hang(marker)
        return real(*args, **kwargs)

    def hang_after_the_first_rows(*args, **kwargs):
        # A generator like ml.video.analyze_video: the caller stores the first chunk that has rows, then
        # waits (the first chunks may have none: rows trail the decoding).
        chunks = real(*args, **kwargs)
        try:
            for chunk in chunks:
                yield chunk
                if chunk.rows and marker.exists():
                    _hang(marker)
        finally:
            chunks.close()

    setattr(module, name, hang_after_the_first_rows if kind == "clip" else hang_once)
