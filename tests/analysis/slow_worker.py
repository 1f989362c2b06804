"""A Celery app for the killed-worker tests: fer_site's app whose first job of one kind hangs.

Started as `celery -A tests.analysis.slow_worker worker`. While the file named by FER_TEST_SLOW_MARKER
exists, the next job of the kind FER_TEST_SLOW_JOB names ("analysis", the default, or "annotated":
the making of an annotated copy) removes it, writes its process id beside it and sleeps, so that the
test can SIGKILL that pool process mid-task; later jobs (the retry) run normally.
"""

import os
import time
from pathlib import Path

from celery.signals import worker_process_init

from fer_site.celery import app

__all__ = ["app"]

# The ml function each kind of job calls, as (module, name): looked up by the job when it runs.
SLOW_FUNCTIONS = {"analysis": ("ml.pipeline", "analyze_image"), "annotated": ("ml.annotate_video", "annotate_clip")}


@worker_process_init.connect
def slow_down_first_job(**_kwargs):
    import importlib

    module_name, name = SLOW_FUNCTIONS[os.environ.get("FER_TEST_SLOW_JOB", "analysis")]
    module = importlib.import_module(module_name)
    real = getattr(module, name)
    marker = Path(os.environ["FER_TEST_SLOW_MARKER"])

    def hang_once(*args, **kwargs):
        if marker.exists():
            marker.unlink()
            marker.with_suffix(".pid").write_text(str(os.getpid()))
            time.sleep(600)
        return real(*args, **kwargs)

    setattr(module, name, hang_once)
