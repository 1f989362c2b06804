"""An upload while Redis is down is accepted and kept, and analysed once Redis is back."""

import pytest

from analysis.models import Media
from tests.analysis.clips import api_client
from tests.analysis.helpers import assert_no_orphan_files
from tests.faults.checks import assert_recovered, assert_worker_takes_new_work
from tests.photos import astronaut, encode, upload

pytestmark = [pytest.mark.faults, pytest.mark.worker]


def test_an_upload_while_redis_is_down_is_accepted_and_analysed_once_it_is_back(alice, broker, start_worker):
    # The sweeper re-sends a job queued for 2 s (production: FER_JOB_QUEUED_SECONDS, 15 minutes).
    worker, _ = start_worker(FER_JOB_QUEUED_SECONDS="2")
    broker.stop()

    response = api_client(alice).post("/api/media/", {"file": upload(encode(astronaut()))}, format="multipart")

    assert response.status_code == 202, response.content[:500]
    media = Media.objects.get(pk=response.json()["id"])
    assert (media.status, media.attempts) == ("queued", 0)
    assert_no_orphan_files(alice)

    broker.start()
    assert_recovered([media], worker)
    assert_worker_takes_new_work(worker, alice)
