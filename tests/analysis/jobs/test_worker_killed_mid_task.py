"""A worker process SIGKILLed in the middle of a job does not lose the job: an analysis, an annotated copy."""

import os
import signal
import time

import pytest

from analysis.media.services import create_media, request_annotated
from analysis.models import AnnotatedCopy, Media
from tests.celery_worker import wait_until_final
from tests.photos import astronaut, encode, upload
from tests.videos import clip_file, clip_upload

pytestmark = pytest.mark.worker


def wait_for_file(path, worker, timeout=120):
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared:\n{worker.output()[-5000:]}"
        time.sleep(0.1)
    return path.read_text()


def start_slow_worker(start_celery_worker, marker, job: str):
    """A worker (with the sweeper) whose first job of kind ``job`` hangs until killed."""
    marker.touch()
    # A short heartbeat deadline and a frequent sweep keep the test quick; the mechanism is the same.
    env = {"FER_TEST_SLOW_MARKER": str(marker), "FER_TEST_SLOW_JOB": job}
    env.update(FER_JOB_STALE_SECONDS="3", FER_SWEEP_INTERVAL_SECONDS="1")
    return start_celery_worker(app="tests.analysis.slow_worker", beat=True, env=env)


def test_a_job_whose_worker_process_was_killed_still_completes(alice, start_celery_worker, tmp_path):
    marker = tmp_path / "slow-once"
    worker = start_slow_worker(start_celery_worker, marker, "analysis")
    media = create_media(alice, upload(encode(astronaut())))

    pid = int(wait_for_file(marker.with_suffix(".pid"), worker))
    media.refresh_from_db()
    assert media.status == Media.Status.PROCESSING
    assert media.attempts == 1
    os.kill(pid, signal.SIGKILL)  # the pool process running the task, not the worker's main process

    wait_until_final(media, timeout=180, worker=worker)

    assert media.status == Media.Status.DONE, media.error
    assert media.face_count == 1
    assert media.detections.count() == 1
    assert media.attempts == 2
    assert "WorkerLostError" in worker.output() or "SIGKILL" in worker.output()


def test_an_annotated_copy_whose_worker_process_was_killed_still_ends_done_or_failed(
    alice, start_celery_worker, tmp_path
):
    marker = tmp_path / "slow-once"
    worker = start_slow_worker(start_celery_worker, marker, "annotated")
    clip = create_media(alice, clip_upload(clip_file(tmp_path, seconds=1)))
    wait_until_final(clip, timeout=180, worker=worker)
    assert clip.status == Media.Status.DONE, clip.error

    assert request_annotated(clip)
    pid = int(wait_for_file(marker.with_suffix(".pid"), worker))
    copy = AnnotatedCopy.objects.get(pk=clip.pk)
    assert copy.status == AnnotatedCopy.Status.PROCESSING
    assert copy.attempts == 1
    os.kill(pid, signal.SIGKILL)  # the pool process making the copy

    # Before the fix this copy stayed "processing" for good; now the sweeper sends it again.
    wait_until_final(copy, timeout=180, worker=worker)

    assert copy.status == AnnotatedCopy.Status.DONE or (copy.status == AnnotatedCopy.Status.FAILED and copy.error)
    # The retry has all the time it needs here, so it is the second attempt that made it.
    assert copy.status == AnnotatedCopy.Status.DONE, copy.error
    assert copy.attempts == 2
    assert copy.file and copy.file.storage.exists(copy.file.name)
    clip.refresh_from_db()
    assert clip.annotated_status == "done"
