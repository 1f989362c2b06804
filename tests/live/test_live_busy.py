"""With no worker answering within the deadline, POST /api/live/ answers 503 busy with Retry-After."""

import time

from tests.celery_worker import broker_available
from tests.live.frames import post_frame
from tests.services import require_service


def test_it_answers_busy_when_no_worker_takes_the_frame_in_time(alice_client, face_jpeg, settings):
    require_service("the Celery broker", *broker_available())
    settings.FER_LIVE_DEADLINE_MS = 300  # no worker consumes `live` in this test

    started = time.monotonic()
    response = post_frame(alice_client, face_jpeg)
    waited = time.monotonic() - started

    assert response.status_code == 503
    assert response.json() == {"detail": "busy"}
    assert response["Retry-After"] == "1"
    assert 0.3 <= waited < 3
