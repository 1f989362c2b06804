"""kill -9 of the pool process analysing a clip: the clip is analysed again, once, by the same worker."""

import os
import signal

import pytest

from analysis.media.services import create_media
from analysis.models import Media
from tests.faults.checks import assert_recovered, assert_worker_takes_new_work
from tests.videos import clip_file, clip_upload

pytestmark = [pytest.mark.faults, pytest.mark.worker]


def test_a_clip_whose_pool_process_is_killed_mid_clip_is_finished_once(alice, start_worker, tmp_path):
    worker, hang = start_worker("clip")
    clip = create_media(alice, clip_upload(clip_file(tmp_path, seconds=3)))

    pid = hang.wait_for_run(1, worker)
    clip.refresh_from_db()
    assert (clip.status, clip.attempts) == (Media.Status.PROCESSING, 1)
    assert clip.detections.exists()  # rows of the killed attempt, which the retry must replace, not add to
    os.kill(pid, signal.SIGKILL)

    assert_recovered([clip], worker)
    assert clip.attempts >= 2  # the killed attempt counted
    assert_worker_takes_new_work(worker, alice)
