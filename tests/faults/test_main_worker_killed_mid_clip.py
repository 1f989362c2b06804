"""kill -9 of a worker's main process mid-clip: its pool goes with it, and the next worker finishes the clip."""

import os
import signal
import time

import pytest

from analysis.media.services import create_media
from tests.faults.checks import assert_recovered, assert_worker_takes_new_work
from tests.videos import clip_file, clip_upload

pytestmark = [pytest.mark.faults, pytest.mark.worker]


def wait_until_gone(pid: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        assert time.monotonic() < deadline, f"process {pid} outlived its worker"
        time.sleep(0.1)


def test_a_clip_whose_whole_worker_is_killed_mid_clip_is_finished_by_the_next_worker(alice, start_worker, tmp_path):
    worker, hang = start_worker("clip")
    clip = create_media(alice, clip_upload(clip_file(tmp_path, seconds=3)))
    pool_pid = hang.wait_for_run(1, worker)

    os.kill(worker.pid, signal.SIGKILL)
    # Celery's pool processes die with their parent (PR_SET_PDEATHSIG), so nothing beats the job's
    # heartbeat any more, and its message stays unacknowledged in Redis.
    wait_until_gone(pool_pid)
    assert not worker.alive()

    # As systemd would: a worker started again takes the job over once its heartbeat is stale.
    replacement, _ = start_worker()
    assert_recovered([clip], replacement)
    assert_worker_takes_new_work(replacement, alice)
