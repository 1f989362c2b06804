"""With no worker answering within the deadline, POST /api/live/ answers 503 busy with Retry-After,
and takes its frame back out of the broker rather than leave it waiting there."""

import time
from pathlib import Path

from django.conf import settings as django_settings

from tests.analysis.live.frames import post_frame
from tests.celery_worker import broker_available
from tests.services import require_service


def _queued_live_messages() -> list[bytes]:
    url = django_settings.CELERY_BROKER_URL
    if url.startswith("filesystem://"):
        folder = Path(django_settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"])
        return [path.read_bytes() for path in folder.glob("*.live.msg")]
    import redis

    return redis.Redis.from_url(url).lrange("live", 0, -1)


def test_it_answers_busy_when_no_worker_takes_the_frame_in_time(alice_api, face_jpeg, settings):
    require_service("the Celery broker", *broker_available())
    settings.FER_LIVE_DEADLINE_MS = 300  # no worker consumes `live` in this test

    queued_before = len(_queued_live_messages())
    started = time.monotonic()
    response = post_frame(alice_api, face_jpeg)
    waited = time.monotonic() - started

    assert response.status_code == 503
    assert response.json() == {"detail": "busy"}
    assert response["Retry-After"] == "1"
    assert 0.3 <= waited < 3
    assert len(_queued_live_messages()) == queued_before
