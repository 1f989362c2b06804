"""Celery beat in a real worker runs the sweeper, which re-queues a job whose worker vanished."""

from datetime import timedelta

import pytest
from django.utils import timezone

from analysis.jobs import dispatch
from analysis.media.services import create_media
from analysis.models import Media
from tests.celery_worker import wait_until_final
from tests.photos import astronaut, encode, upload

pytestmark = pytest.mark.worker


def test_beat_requeues_a_stale_job_and_a_worker_finishes_it(alice, start_celery_worker, monkeypatch):
    # A job left "processing" by a worker that disappeared, whose message is gone too.
    with monkeypatch.context() as patch:
        patch.setattr(dispatch, "analyze_media", lambda media: None)
        media = create_media(alice, upload(encode(astronaut())))
    Media.objects.filter(pk=media.pk).update(
        status=Media.Status.PROCESSING, attempts=1, heartbeat_at=timezone.now() - timedelta(minutes=10)
    )

    worker = start_celery_worker(beat=True, env={"FER_SWEEP_INTERVAL_SECONDS": "1"})
    wait_until_final(media, worker=worker)

    assert media.status == Media.Status.DONE, media.error
    assert media.attempts == 2
    assert media.face_count == 1
    assert "Swept stale jobs" in worker.output()
