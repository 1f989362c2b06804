"""A worker process SIGKILLed in the middle of an analysis does not lose the job."""

import os
import signal
import time

import pytest

from analysis.models import Media
from analysis.services import create_media
from tests.celery_worker import wait_until_final
from tests.photos import astronaut, encode, upload

pytestmark = pytest.mark.worker


def wait_for_file(path, worker, timeout=120):
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared:\n{worker.output()[-5000:]}"
        time.sleep(0.1)
    return path.read_text()


def test_a_job_whose_worker_process_was_killed_still_completes(alice, start_celery_worker, tmp_path):
    marker = tmp_path / "slow-once"
    marker.touch()
    # A short heartbeat deadline and a frequent sweep keep the test quick; the mechanism is the same.
    worker = start_celery_worker(
        app="tests.analysis.slow_worker",
        beat=True,
        env={"FER_TEST_SLOW_MARKER": str(marker), "FER_JOB_STALE_SECONDS": "3", "FER_SWEEP_INTERVAL_SECONDS": "1"},
    )
    media = create_media(alice, upload(encode(astronaut())))

    pid = int(wait_for_file(marker.with_suffix(".pid"), worker))
    media.refresh_from_db()
    assert media.status == Media.Status.PROCESSING
    assert media.attempts == 1
    os.kill(pid, signal.SIGKILL)  # the pool process running the task, not the worker's main process

    wait_until_final(media, timeout=180, worker=worker)

    assert media.status == Media.Status.DONE, media.error
    assert media.face_count == 1
    assert media.faces.count() == 1
    assert media.attempts == 2
    assert "WorkerLostError" in worker.output() or "SIGKILL" in worker.output()
