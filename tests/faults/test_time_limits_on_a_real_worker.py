"""A real worker under the shortest allowed limit (10 s): the soft limit stops a job with a reason, the
hard limit kills a stuck one, which is then run again; neither loops nor takes the worker down."""

import pytest

from analysis.media.services import create_media
from tests.analysis.helpers import assert_no_orphan_files
from tests.celery_worker import wait_until_final
from tests.faults.checks import assert_recovered, assert_worker_takes_new_work
from tests.photos import astronaut, encode, upload

pytestmark = [pytest.mark.faults, pytest.mark.worker]

LIMIT_S = 10


@pytest.fixture
def short_limits(settings):
    # Both processes read the limit: the worker its defaults, this (web) process the one it sends.
    settings.FER_TASK_TIME_LIMIT = LIMIT_S
    return {"FER_TASK_TIME_LIMIT": str(LIMIT_S)}


def test_a_job_past_the_soft_limit_fails_once_with_a_reason(alice, start_worker, short_limits):
    worker, hang = start_worker("analysis", **short_limits)
    photo = create_media(alice, upload(encode(astronaut())))

    wait_until_final(photo, timeout=120, worker=worker)

    assert (photo.status, photo.attempts) == ("failed", 1)
    assert photo.error == "The analysis took too long and was stopped."
    assert len(hang.runs()) == 1
    assert_no_orphan_files(alice)
    assert_worker_takes_new_work(worker, alice)


def test_a_job_stuck_past_the_hard_limit_is_killed_and_run_again(alice, start_worker, short_limits):
    # The hang swallows the soft limit, as a call stuck in C would: only the hard limit ends it.
    worker, hang = start_worker("analysis", stuck=True, **short_limits)
    photo = create_media(alice, upload(encode(astronaut())))

    assert_recovered([photo], worker, timeout=180)

    assert photo.attempts == 2
    assert len(hang.runs()) == 1
    assert "TimeLimitExceeded" in worker.output()
    assert_worker_takes_new_work(worker, alice)
