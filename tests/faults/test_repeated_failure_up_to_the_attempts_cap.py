"""A job whose worker dies on every attempt is run FER_JOB_MAX_ATTEMPTS times, then failed with a reason."""

import os
import signal

import pytest
from django.conf import settings

from analysis.media.services import create_media
from tests.analysis.helpers import assert_no_orphan_files
from tests.celery_worker import wait_until_final
from tests.faults.checks import assert_worker_takes_new_work
from tests.photos import astronaut, encode, upload

pytestmark = [pytest.mark.faults, pytest.mark.worker]


def test_a_job_killed_on_every_attempt_stops_after_the_attempts_cap(alice, start_worker):
    worker, hang = start_worker("analysis", every=True)
    photo = create_media(alice, upload(encode(astronaut())))

    for attempt in range(1, settings.FER_JOB_MAX_ATTEMPTS + 1):
        os.kill(hang.wait_for_run(attempt, worker), signal.SIGKILL)
    wait_until_final(photo, timeout=120, worker=worker)

    assert photo.status == "failed"
    assert photo.attempts == settings.FER_JOB_MAX_ATTEMPTS
    assert photo.error == f"The analysis did not finish after {settings.FER_JOB_MAX_ATTEMPTS} attempts."
    assert len(hang.runs()) == settings.FER_JOB_MAX_ATTEMPTS
    assert not photo.detections.exists()
    assert_no_orphan_files(alice)

    hang.release()  # later jobs go through
    assert_worker_takes_new_work(worker, alice)
