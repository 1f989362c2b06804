"""A Celery app for test_worker_killed_mid_task: fer_site's app whose first analysis hangs.

Started as `celery -A tests.analysis.slow_worker worker`. While the file named by FER_TEST_SLOW_MARKER
exists, the next analysis removes it, writes its process id beside it and sleeps, so that the test
can SIGKILL that pool process mid-task; later analyses (the retry) run normally.
"""

import os
import time
from pathlib import Path

from celery.signals import worker_process_init

from fer_site.celery import app

__all__ = ["app"]


@worker_process_init.connect
def slow_down_first_analysis(**_kwargs):
    import ml.pipeline

    real_analyze_image = ml.pipeline.analyze_image
    marker = Path(os.environ["FER_TEST_SLOW_MARKER"])

    def analyze_image(image, **kwargs):
        if marker.exists():
            marker.unlink()
            marker.with_suffix(".pid").write_text(str(os.getpid()))
            time.sleep(600)
        return real_analyze_image(image, **kwargs)

    ml.pipeline.analyze_image = analyze_image
