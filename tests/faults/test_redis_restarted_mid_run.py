"""Redis restarted while a clip runs and photos wait in its queue: AOF keeps the queue, nothing is lost."""

import pytest

from analysis.media.services import create_media
from tests.faults.checks import assert_recovered, assert_worker_takes_new_work
from tests.photos import astronaut, encode, upload
from tests.videos import clip_file, clip_upload

pytestmark = [pytest.mark.faults, pytest.mark.worker]


def test_jobs_running_and_queued_when_redis_restarts_all_finish_once(alice, broker, start_worker, tmp_path):
    worker, hang = start_worker("clip")
    clip = create_media(alice, clip_upload(clip_file(tmp_path, seconds=3)))
    hang.wait_for_run(1, worker)
    # With one pool process busy these wait in Redis's list; only the AOF brings them back after the
    # restart (the sweeper would re-send them only after FER_JOB_QUEUED_SECONDS, 15 minutes).
    waiting = [create_media(alice, upload(encode(astronaut()))) for _ in range(2)]

    broker.restart()
    after = create_media(alice, upload(encode(astronaut())))  # sent through a new connection
    hang.release()

    assert_recovered([clip, *waiting, after], worker)
    assert_worker_takes_new_work(worker, alice)
